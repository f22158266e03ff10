import { Deadlines } from '../../src/cache/deadlines';

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('Deadlines', () => {
  let deadlines: Deadlines;
  beforeEach(() => (deadlines = new Deadlines(40)));
  afterEach(() => deadlines.stop());

  it('passes through the answer of work that finishes in time', async () => {
    await expect(deadlines.run(Promise.resolve(42), () => new Error('late'))).resolves.toBe(42);
  });

  it('passes through the failure of work that fails in time', async () => {
    await expect(deadlines.run(Promise.reject(new Error('boom')), () => new Error('late'))).rejects.toThrow(
      'boom',
    );
  });

  it('rejects work that outlives the timeout with the timeout error, and ignores its late answer', async () => {
    // Had the work answered first, the call would have resolved with 'too late'.
    await expect(deadlines.run(later(300, 'too late'), () => new Error('timed out'))).rejects.toThrow(
      'timed out',
    );
  });

  it('expires each of many calls on its own, keeping the quick ones', async () => {
    const calls = Array.from({ length: 200 }, (_, i) =>
      deadlines
        .run(i % 2 === 0 ? Promise.resolve(i) : later(250, i), () => new Error(`expired ${i}`))
        .then(
          (value) => ({ ok: true, value }),
          (error: Error) => ({ ok: false, value: error.message }),
        ),
    );
    const results = await Promise.all(calls);
    results.forEach((result, i) =>
      expect(result).toEqual(i % 2 === 0 ? { ok: true, value: i } : { ok: false, value: `expired ${i}` }),
    );
  });
});
