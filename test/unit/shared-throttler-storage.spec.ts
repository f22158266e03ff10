import {
  DEFAULT_SHARED_THROTTLER_OPTIONS,
  SharedThrottlerStorage,
} from '../../src/common/http/shared-throttler-storage';

const HOUR = 3_600_000;

/** Without Redis the storage counts in this process only; the shared path is tested in e2e. */
describe('SharedThrottlerStorage, counting locally', () => {
  afterEach(() => jest.useRealTimers());

  it('admits `limit` hits per client and window, then blocks until the window ends', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T10:15:00Z') });
    const storage = new SharedThrottlerStorage(null);
    for (let i = 1; i <= 3; i++)
      expect(await storage.increment('10.0.0.1', HOUR, 3, HOUR, 'default')).toMatchObject({
        totalHits: i,
        isBlocked: false,
      });
    const blocked = await storage.increment('10.0.0.1', HOUR, 3, HOUR, 'default');
    // The window is the clock hour: 45 minutes left.
    expect(blocked).toEqual({ totalHits: 4, isBlocked: true, timeToExpire: 2700, timeToBlockExpire: 2700 });
    expect((await storage.increment('10.0.0.2', HOUR, 3, HOUR, 'default')).isBlocked).toBe(false);

    await storage.flush();
    expect((await storage.increment('10.0.0.1', HOUR, 3, HOUR, 'default')).isBlocked).toBe(true);
    jest.setSystemTime(new Date('2030-01-01T11:00:00Z'));
    expect(await storage.increment('10.0.0.1', HOUR, 3, HOUR, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('keeps at most maxClients counters under a flood of distinct clients, and still limits', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T10:15:00Z') });
    const storage = new SharedThrottlerStorage(null, {
      ...DEFAULT_SHARED_THROTTLER_OPTIONS,
      flushIntervalMs: 100,
      flushEveryHits: 200,
      maxClients: 1000,
    });
    for (let i = 0; i < 3; i++) await storage.increment('victim', HOUR, 3, HOUR, 'default');
    await storage.flush();
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      await storage.increment(`flood-${i}`, HOUR, 3, HOUR, 'default');
      largest = Math.max(largest, storage.size);
    }
    expect(largest).toBeLessThanOrEqual(1000);
    expect((await storage.increment('fresh', HOUR, 3, HOUR, 'default')).isBlocked).toBe(false);
  });

  it('cuts windows from the clock it is given', async () => {
    let now = Date.parse('2030-01-01T10:59:59.900Z');
    const storage = new SharedThrottlerStorage(null, {
      ...DEFAULT_SHARED_THROTTLER_OPTIONS,
      flushIntervalMs: 100,
      flushEveryHits: 200,
      maxClients: 10,
      now: () => now,
    });
    expect((await storage.increment('c', HOUR, 1, HOUR, 'default')).isBlocked).toBe(false);
    expect((await storage.increment('c', HOUR, 1, HOUR, 'default')).isBlocked).toBe(true);
    now += 200; // the hour turns
    expect((await storage.increment('c', HOUR, 1, HOUR, 'default')).isBlocked).toBe(false);
  });
});

describe('SharedThrottlerStorage, sending hits to Redis', () => {
  it('runs one flush at a time: hits counted while one is on its way wait for it, then go in one more', async () => {
    let answer: (totals: number[]) => void = () => undefined;
    const evals: string[][] = [];
    const redis = {
      ready: true,
      client: {
        eval: (_script: string, { arguments: args }: { keys: string[]; arguments: string[] }) => {
          evals.push(args);
          return new Promise<number[]>((resolve) => (answer = resolve));
        },
      },
    };
    const storage = new SharedThrottlerStorage(redis as never, {
      ...DEFAULT_SHARED_THROTTLER_OPTIONS,
      flushIntervalMs: 60_000,
      flushEveryHits: 200,
      maxClients: 1000,
    });
    const flushes = jest.spyOn(storage, 'flush');
    for (let i = 0; i < 200; i++) storage.take('10.0.0.1', HOUR, 1_000_000, 'default');
    expect(flushes).toHaveBeenCalledTimes(1);
    // The client and its hits, after the hash's field bound and expiry.
    expect(evals.map((args) => args.slice(2))).toEqual([['default:10.0.0.1', '200']]);

    // 1,000 more hits while Redis has not answered: no flush call (and no promise) per hit.
    for (let i = 0; i < 1000; i++) storage.take('10.0.0.1', HOUR, 1_000_000, 'default');
    expect(flushes).toHaveBeenCalledTimes(1);

    // The answer comes: the hits that waited go in one more flush, at once (over the threshold).
    answer([200]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toHaveBeenCalledTimes(2);
    expect(evals.map((args) => args[3])).toEqual(['200', '1000']);
    answer([1200]);
    await storage.flush();
    expect(storage.take('10.0.0.1', HOUR, 1_000_000, 'default').totalHits).toBe(1201);
  });
});
