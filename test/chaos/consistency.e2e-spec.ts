import { ApiProcess } from './harness/api-process';
import { ConsistencyReport, formatReport, runConsistencyCheck, StaleRead } from './harness/consistency';
import { startDelayProxy } from './harness/delay-proxy';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { startOwnRedis } from './harness/redis-server';

/**
 * Two API processes on one PostgreSQL and one Redis; randomized writes through either, readers on
 * both; every read that started after a write was acknowledged must show it. 10 s in CI;
 * `npm run chaos:consistency -- --seconds 60` for the long run.
 */
/** The instances' command timeout: also how long a writer waits for its own invalidation message. */
const REDIS_COMMAND_TIMEOUT_MS = 250;
/**
 * How long after a write's acknowledgement another instance may still answer from its L1 memory:
 * the delivery of the invalidation's pub/sub message, which the writing instance itself waits for
 * at most REDIS_COMMAND_TIMEOUT_MS. `CHAOS_L1_WINDOW_MS` overrides it (0 shows the check failing).
 */
const l1WindowMs = Number(process.env.CHAOS_L1_WINDOW_MS ?? REDIS_COMMAND_TIMEOUT_MS);

/** Stale reads the L1's window does not allow: served by the writing instance, or too late. */
function outsideWindow(report: ConsistencyReport, windowMs: number): StaleRead[] {
  return report.staleReads.filter(
    (read) => read.writtenVia === undefined || read.writtenVia === read.instance || read.delayMs > windowMs,
  );
}

describe('consistency under concurrent writes, two instances', () => {
  const seconds = chaosSeconds(10);
  let env: ChaosEnvironment;
  let apis: ApiProcess[];

  beforeAll(async () => {
    env = await startChaosEnvironment();
    apis = await Promise.all([env.startApi(), env.startApi()]);
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it(
    'serves no stale read',
    async () => {
      const report = await runConsistencyCheck({
        instances: apis.map((api) => api.url),
        dataSource: env.dataSource,
        seconds,
        minWrites: 60,
      });
      process.stdout.write(`${formatReport(report)}\n  logs: ${apis.map((api) => api.logFile).join(' ')}\n`);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ stale: 0, failedWrites: 0, failedReads: 0 });
      // The run did exercise every kind of write and every read.
      expect(Object.keys(report.writesByKind).sort()).toEqual(
        ['club_rename', 'kit_competitions', 'kit_create', 'kit_delete', 'kit_move', 'kit_rename'].sort(),
      );
      expect(Object.keys(report.readsByEndpoint)).toHaveLength(8);
      expect(report.writes).toBeGreaterThanOrEqual(60);
      // The cache did answer (a cache that is always bypassed is trivially never stale).
      expect(report.cacheHits).toBeGreaterThan(report.reads / 10);
    },
    (seconds + 180) * 1000,
  );

  it(
    'with the in-process L1 cache on: stale reads only from the other instance, inside the window; then every instance converges',
    async () => {
      // A long L1 TTL, so that its safety net cannot hide an entry a lost message left behind.
      const l1 = {
        CACHE_L1_ENABLED: 'true',
        CACHE_L1_TTL_MS: '600000',
        REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
      };
      const withL1 = await Promise.all([env.startApi(l1), env.startApi(l1)]);
      const report = await runConsistencyCheck({
        instances: withL1.map((api) => api.url),
        dataSource: env.dataSource,
        seconds: Math.max(5, seconds / 2),
        minWrites: 60,
        convergeWithinMs: l1WindowMs,
      });
      process.stdout.write(
        `L1 on: ${formatReport(report)}\n  stale reads (window ${l1WindowMs} ms): ` +
          `${JSON.stringify(report.staleReads.map(({ instance, writtenVia, delayMs }) => ({ instance, writtenVia, delayMs: Math.round(delayMs) })))}\n`,
      );
      expect(report).toMatchObject({ failedWrites: 0, failedReads: 0, serverErrors: 0 });
      expect(report.cacheHits).toBeGreaterThan(report.reads / 10);

      // A read on the other instance may still be answered from its memory until the write's
      // pub/sub message reaches it (README, "Optional L1"); the writing instance waits for its
      // own message before acknowledging, and gives up on it after REDIS_COMMAND_TIMEOUT_MS.
      // Every stale read is analysed, each came from an instance that did not take the write,
      // and began at most the window after the write's acknowledgement.
      expect(report.staleReads).toHaveLength(report.stale);
      expect(outsideWindow(report, l1WindowMs)).toEqual([]);

      // Once the writes stop nothing stale is left in any instance's memory: every kit detail,
      // club, club kits page, kit list, seasons list and search, read on each instance, shows the
      // last acknowledged state.
      expect(report.unconverged).toEqual([]);
      await Promise.all(withL1.map((api) => api.stop('SIGKILL')));
    },
    (seconds + 180) * 1000,
  );

  it('catches L1 stale reads past a window: the other instance hears of writes late, behind a delaying link', async () => {
    // The window check's own check. Instance B reaches Redis through a link that delays what
    // Redis sends by LAG_MS (under its command timeout, so B still uses the cache): after a write
    // through A, B keeps answering from memory for about LAG_MS. Against a window of 0 those
    // reads fail the check, each attributed to B and to a write through A.
    const LAG_MS = 400;
    const settings = {
      CACHE_L1_ENABLED: 'true',
      CACHE_L1_TTL_MS: '600000',
      REDIS_COMMAND_TIMEOUT_MS: '1000',
    };
    const link = await startDelayProxy(env.redis.url, LAG_MS);
    try {
      const a = await env.startApi(settings);
      const b = await env.startApi({ ...settings, REDIS_URL: link.url });
      const report = await runConsistencyCheck({
        instances: [a.url, b.url],
        writeInstances: [a.url],
        dataSource: env.dataSource,
        // Writes with pauses between them, so that B's memory fills up between two writes and is
        // then caught stale: back-to-back writes keep invalidating it before B has read anything.
        seconds: 12,
        minWrites: 20,
        writers: 2,
        writePauseMs: 700,
        readers: 24,
      });
      process.stdout.write(
        `L1 with B ${LAG_MS} ms behind: ${report.stale} stale reads, delays ${JSON.stringify(report.staleReads.map((r) => Math.round(r.delayMs)))}\n`,
      );
      expect(report).toMatchObject({ failedWrites: 0, failedReads: 0, serverErrors: 0 });
      const late = outsideWindow(report, 0);
      expect(late.length).toBeGreaterThan(0);
      expect(late.every((read) => read.instance === b.url && read.writtenVia === a.url)).toBe(true);
      await Promise.all([a, b].map((api) => api.stop('SIGKILL')));
    } finally {
      await link.close();
    }
  }, 180_000);

  it('detects stale reads when writes invalidate a Redis the readers do not use', async () => {
    // The checker's own check: a third instance on the same database but another Redis takes the
    // writes, so the two readers' Redis keeps the old entries.
    const elsewhere = await startOwnRedis();
    try {
      const writer = await env.startApi({ REDIS_URL: elsewhere.url });
      const report = await runConsistencyCheck({
        instances: apis.map((api) => api.url),
        writeInstances: [writer.url],
        dataSource: env.dataSource,
        seconds: 3,
        minWrites: 30,
      });
      expect(report.failedWrites).toBe(0);
      expect(report.stale).toBeGreaterThan(0);
      // The window check of the L1 test sees them: stale well after the acknowledgement.
      expect(report.staleReads.some((read) => read.delayMs > l1WindowMs)).toBe(true);
    } finally {
      await elsewhere.stop();
    }
  }, 180_000);
});
