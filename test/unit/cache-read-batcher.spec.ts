import { ReadBatcher } from '../../src/cache/read-batcher';

/** A fetch that records each call and answers from `values`. */
function recordingFetch(values: Record<string, string>) {
  const calls: string[][] = [];
  const fetch = (keys: string[]) => {
    calls.push(keys);
    return Promise.resolve(keys.map((key) => values[key] ?? null));
  };
  return { calls, fetch };
}

describe('ReadBatcher', () => {
  it('fetches the first key of a turn at once and the later distinct keys of the turn together', async () => {
    const { calls, fetch } = recordingFetch({ a: 'A', b: 'B' });
    const batcher = new ReadBatcher(fetch);
    const answers = Promise.all([
      batcher.get('a'),
      batcher.get('b'),
      batcher.get('a'),
      batcher.get('z'),
      batcher.get('b'),
    ]);
    expect(calls).toEqual([['a']]); // the first key did not wait for the end of the turn
    expect(await answers).toEqual(['A', 'B', 'A', null, 'B']);
    expect(calls).toEqual([['a'], ['b', 'z']]);
  });

  it('sends the end-of-turn fetch in the same turn, before work scheduled after the first read', async () => {
    const order: string[] = [];
    const batcher = new ReadBatcher((keys) => {
      order.push(`fetch ${keys.join(',')}`);
      return Promise.resolve(keys.map(() => 'v'));
    });
    const reads = [batcher.get('a'), batcher.get('b')];
    setImmediate(() => order.push('immediate scheduled after the first read'));
    await Promise.all(reads);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['fetch a', 'fetch b', 'immediate scheduled after the first read']);
  });

  it('sends a later turn in a fetch of its own', async () => {
    const { calls, fetch } = recordingFetch({ a: 'A', b: 'B' });
    const batcher = new ReadBatcher(fetch);
    expect(await batcher.get('a')).toBe('A');
    expect(await batcher.get('b')).toBe('B');
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('fails every read of a batch with the fetch error, and the next batch starts afresh', async () => {
    let fail = true;
    const batcher = new ReadBatcher((keys) =>
      fail ? Promise.reject(new Error('down')) : Promise.resolve(keys.map((key) => key.toUpperCase())),
    );
    const results = await Promise.allSettled([batcher.get('a'), batcher.get('b'), batcher.get('a')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']); // both fetches
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('down'));
    fail = false;
    expect(await batcher.get('c')).toBe('C');
  });

  it('reports how many reads a failed fetch failed, a key asked twice counting twice', async () => {
    const failures: number[] = [];
    const batcher = new ReadBatcher(
      () => Promise.reject(new Error('down')),
      (reads) => failures.push(reads),
    );
    await Promise.allSettled([
      batcher.get('a'),
      batcher.get('a'),
      batcher.get('b'),
      batcher.get('b'),
      batcher.get('c'),
    ]);
    expect(failures).toEqual([2, 3]); // the first key at once (asked twice), then b twice and c
  });

  it('turns a fetch that throws instead of rejecting into failed reads', async () => {
    const batcher = new ReadBatcher(() => {
      throw new Error('not connected');
    });
    await expect(batcher.get('a')).rejects.toThrow('not connected');
  });
});
