// The consistency checker on a Redis Cluster (test/chaos/harness/redis-cluster.ts): two real API
// processes with REDIS_CLUSTER_NODES, randomized writes and reads through both, every read that
// began after a write was acknowledged must show it.
import path from 'node:path';
import { ApiProcess, cacheHits } from './harness/api-process';
import { formatReport, runConsistencyCheck } from './harness/consistency';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { OwnRedisCluster, startOwnRedisCluster } from './harness/redis-cluster';

describe('consistency on a Redis Cluster, two instances', () => {
  let env: ChaosEnvironment;
  let cluster: OwnRedisCluster;
  let apis: ApiProcess[];
  let settings: Record<string, string>;

  beforeAll(async () => {
    env = await startChaosEnvironment();
    cluster = await startOwnRedisCluster();
    settings = {
      // The environment's own Redis is not used: these APIs use the cluster.
      REDIS_URL: '',
      ...cluster.env,
      // The limiter on, as shipped, with a limit the checker's load stays under: its shared
      // counts go through the cluster too.
      RATE_LIMIT_PER_HOUR: '10000000',
    };
    apis = await Promise.all([env.startApi(settings), env.startApi(settings)]);
  }, 180_000);
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  }, 60_000);

  it('serves no stale read and no 5xx, with entries on every master', async () => {
    const report = await runConsistencyCheck({
      instances: apis.map((api) => api.url),
      dataSource: env.dataSource,
      seconds: chaosSeconds(12),
      convergeWithinMs: 5000,
    });
    const perMaster = await cluster.keysPerMaster('fkapi:{');
    const entries = [...perMaster.values()].map(
      (keys) => keys.filter((key) => /^fkapi:\{\d+\}:v\d+:/.test(key)).length,
    );
    const limiterKeys = [...(await cluster.keysPerMaster('fkapi:ratelimit:')).values()].flat();
    process.stdout.write(
      `redis cluster: ${formatReport(report)}\n  entries per master now: ${entries.join(', ')}; rate-limit keys: ${limiterKeys.length}\n`,
    );
    expect(report.examples).toEqual([]);
    expect(report).toMatchObject({ stale: 0, serverErrors: 0, failedWrites: 0, failedReads: 0 });
    expect(report.unconverged).toEqual([]);
    expect(report.writes).toBeGreaterThan(0);
    for (const api of apis) expect(await cacheHits(api)).toBeGreaterThan(0);
    expect(entries).toHaveLength(3);
    for (const count of entries) expect(count).toBeGreaterThan(0);
    expect(limiterKeys.length).toBeGreaterThan(0);
    for (const api of apis) expect(api.output()).not.toMatch(/CROSSSLOT|Unhandled|Nest can't resolve/);
  }, 120_000);

  it('control: with invalidations sent to one shard group only, the checker does see stale reads', async () => {
    const preload = path.join(__dirname, 'harness/one-group-invalidation.cjs');
    const faulty = await Promise.all([
      env.startApi(settings, env.db.url, ['--require', preload]),
      env.startApi(settings, env.db.url, ['--require', preload]),
    ]);
    try {
      const report = await runConsistencyCheck({
        instances: faulty.map((api) => api.url),
        dataSource: env.dataSource,
        seconds: chaosSeconds(8),
        // Under load a short run may see few writes; stale reads need writes to follow.
        minWrites: 150,
      });
      process.stdout.write(`redis cluster, control (one group invalidated): ${formatReport(report)}\n`);
      expect(report.stale).toBeGreaterThan(0);
      expect(report.serverErrors).toBe(0);
    } finally {
      await Promise.all(faulty.map((api) => api.stop('SIGKILL')));
    }
  }, 120_000);
});
