import { SharedThrottlerStorage } from '../../src/common/http/shared-throttler-storage';

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
});
