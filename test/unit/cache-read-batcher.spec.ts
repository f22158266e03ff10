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
  it('sends the reads of one event-loop turn as one fetch of the distinct keys, in order', async () => {
    const { calls, fetch } = recordingFetch({ a: 'A', b: 'B' });
    const batcher = new ReadBatcher(fetch);
    const answers = await Promise.all([
      batcher.get('a'),
      batcher.get('b'),
      batcher.get('a'),
      batcher.get('z'),
    ]);
    expect(answers).toEqual(['A', 'B', 'A', null]);
    expect(calls).toEqual([['a', 'b', 'z']]);
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
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(new Error('down'));
    fail = false;
    expect(await batcher.get('c')).toBe('C');
  });

  it('turns a fetch that throws instead of rejecting into failed reads', async () => {
    const batcher = new ReadBatcher(() => {
      throw new Error('not connected');
    });
    await expect(batcher.get('a')).rejects.toThrow('not connected');
  });
});
