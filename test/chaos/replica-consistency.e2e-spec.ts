import { InvalidationWatermark } from '../../src/database/invalidation-watermark';
import { ReplicaMetrics } from '../../src/metrics/replica-metrics';
import { formatReport, runConsistencyCheck } from './harness/consistency';
import { chaosSeconds } from './harness/environment';
import { startPgReplicaPair, PgReplicaPair } from '../utils/pg-replication';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { startTestApp, TestApp } from '../utils/test-app';

/** How long the replica holds each commit: the acceptance asks for a replica lagging ≥ 500 ms. */
const APPLY_DELAY_MS = 600;

/** `fkapi_db_reads_total` summed by `target/reason` (both apps of this process share the counter). */
async function readCounts(t: TestApp): Promise<Record<string, number>> {
  const { values } = await t.app.get(ReplicaMetrics).reads.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.target}/${v.labels.reason}`, v.value]));
}

const since = (before: Record<string, number>, after: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]));

/** Whether a cache miss (a search never made before) is read from the replica within `timeoutMs`. */
async function replicaServesAMiss(t: TestApp, timeoutMs: number): Promise<boolean> {
  const start = (await readCounts(t))['replica/caught_up'] ?? 0;
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline; i++) {
    expect((await t.request({ url: `/api/clubs/search?keyword=probe${i}` })).statusCode).toBe(200);
    if (((await readCounts(t))['replica/caught_up'] ?? 0) > start) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Two API instances on a PostgreSQL primary with a streaming replica that applies every commit
 * 600 ms late, one Redis; randomized writes through either (with pauses, so that the replica
 * catches up between them and serves reads), readers on both; every read that started after a
 * write was acknowledged must show it. A control run with the replay check switched off shows
 * that the oracle does see what a lagging replica serves.
 */
describe('consistency with a lagging read replica, two instances', () => {
  const seconds = chaosSeconds(12);
  let pair: PgReplicaPair;
  let redis: TestRedisDb;
  let apis: TestApp[];

  beforeAll(async () => {
    pair = await startPgReplicaPair({ applyDelayMs: APPLY_DELAY_MS });
    redis = await leaseRedisDb();
    const env = { REDIS_URL: redis.url, DATABASE_REPLICA_URLS: pair.replicaUrl };
    apis = [
      await startTestApp(env, { database: pair.database, listen: true }),
      await startTestApp(env, { database: pair.database, listen: true }),
    ];
  }, 180_000);

  afterAll(async () => {
    for (const api of apis ?? []) await api.close();
    await redis?.release();
    await pair?.stop();
  }, 60_000);

  const run = (runSeconds: number) =>
    runConsistencyCheck({
      instances: apis.map((api) => api.baseUrl),
      dataSource: apis[0].dataSource,
      seconds: runSeconds,
      writers: 1,
      writePauseMs: 1000,
    });

  it(
    'serves no stale read, and the replica does serve reads between writes',
    async () => {
      const before = await readCounts(apis[0]);
      const report = await run(seconds);
      const routed = since(before, await readCounts(apis[0]));
      process.stdout.write(
        `replica lagging ${APPLY_DELAY_MS} ms: ${formatReport(report)}\n  reads: ${JSON.stringify(routed)}\n`,
      );
      expect(report.examples).toEqual([]);
      expect(report).toMatchObject({ stale: 0, failedWrites: 0, failedReads: 0, serverErrors: 0 });
      expect(report.writes).toBeGreaterThanOrEqual(5);
      expect(report.cacheHits).toBeGreaterThan(0);
      // The primary took the misses right after writes.
      expect(routed['primary/lagging']).toBeGreaterThan(0);
      // And the replica takes them between writes. Under load the readers refill every entry
      // within milliseconds of its invalidation, so the run's own misses may all fall inside the
      // lag; misses made once the writes stopped show it (a new search each, polled until the
      // replica has replayed the last write).
      expect(await replicaServesAMiss(apis[0], APPLY_DELAY_MS * 10)).toBe(true);
    },
    (seconds + 90) * 1000,
  );

  it(
    'control: with the replay check switched off, the same run reads stale data from the replica',
    async () => {
      // A fresh cache: no entry of the first run is read back.
      for await (const keys of redis.client.scanIterator({ MATCH: 'fkapi:*', COUNT: 1000 }))
        if (keys.length > 0) await redis.client.unlink(keys);
      const spies = apis.map((api) =>
        jest.spyOn(api.app.get(InvalidationWatermark), 'required').mockResolvedValue(0n),
      );
      try {
        const report = await run(Math.max(6, seconds / 2));
        process.stdout.write(`control, replay check off: ${formatReport(report)}\n`);
        expect(report.stale).toBeGreaterThan(0);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    },
    (seconds + 90) * 1000,
  );
});
