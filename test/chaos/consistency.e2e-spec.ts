import { ApiProcess } from './harness/api-process';
import { formatReport, runConsistencyCheck } from './harness/consistency';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { startOwnRedis } from './harness/redis-server';

/**
 * Two API processes on one PostgreSQL and one Redis; randomized writes through either, readers on
 * both; every read that started after a write was acknowledged must show it. 10 s in CI;
 * `npm run chaos:consistency -- --seconds 60` for the long run.
 */
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
      });
      process.stdout.write(`${formatReport(report)}\n  logs: ${apis.map((api) => api.logFile).join(' ')}\n`);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ stale: 0, failedWrites: 0, failedReads: 0 });
      // The run did exercise every kind of write and every read.
      expect(Object.keys(report.writesByKind).sort()).toEqual(
        ['club_rename', 'kit_competitions', 'kit_create', 'kit_delete', 'kit_move', 'kit_rename'].sort(),
      );
      expect(Object.keys(report.readsByEndpoint)).toHaveLength(8);
      expect(report.writes).toBeGreaterThan(50);
      // The cache did answer (a cache that is always bypassed is trivially never stale).
      expect(report.cacheHits).toBeGreaterThan(report.reads / 10);
    },
    (seconds + 60) * 1000,
  );

  it(
    'serves no stale read with the in-process L1 cache on (kept coherent through Redis pub/sub)',
    async () => {
      const withL1 = await Promise.all([
        env.startApi({ CACHE_L1_ENABLED: 'true' }),
        env.startApi({ CACHE_L1_ENABLED: 'true' }),
      ]);
      const report = await runConsistencyCheck({
        instances: withL1.map((api) => api.url),
        dataSource: env.dataSource,
        seconds: Math.max(5, seconds / 2),
      });
      process.stdout.write(`L1 on: ${formatReport(report)}\n`);
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ stale: 0, failedWrites: 0, failedReads: 0 });
      expect(report.cacheHits).toBeGreaterThan(report.reads / 10);
      await Promise.all(withL1.map((api) => api.stop('SIGKILL')));
    },
    (seconds + 60) * 1000,
  );

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
      });
      expect(report.failedWrites).toBe(0);
      expect(report.stale).toBeGreaterThan(0);
    } finally {
      await elsewhere.stop();
    }
  }, 90_000);
});
