// The consistency checker on a Redis Cluster (test/chaos/harness/redis-cluster.ts): two real API
// processes with REDIS_CLUSTER_NODES, randomized writes and reads through both, every read that
// began after a write was acknowledged must show it. Last, a master SIGKILLed under load: its
// replica is promoted by the cluster itself, the API processes follow the new layout, nothing
// stale and no 5xx; the killed node returns empty as a replica and the invalidations of the
// outage are applied.
import path from 'node:path';
import { ApiProcess, cacheHits, untilCacheHit } from './harness/api-process';
import { checkDuringFault, formatReport, runConsistencyCheck } from './harness/consistency';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { OwnRedisCluster, startOwnRedisCluster } from './harness/redis-cluster';
import { until } from './harness/redis-sentinel';

/** The cluster notices a dead master after its node timeout (2 s), then its replica is elected. */
const PROMOTION_BOUND_MS = 20_000;
/** The returned node syncs from the new master (empty, so at once). */
const RETURN_BOUND_MS = 20_000;

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

  // Last: it kills a master, which the tests above need.
  it('follows the promotion: no 5xx, nothing stale, the invalidations of the outage applied', async () => {
    // A master other than the first node, which the harness asks for the layout.
    const masters = await cluster.masters();
    const victimPort = masters.map(({ port }) => port).find((port) => port !== cluster.nodes[0].port);
    const victim = cluster.nodes.find((node) => node.port === victimPort);
    if (!victim) throw new Error('no master to kill');
    const { replica } = await cluster.ownerOf(masters.find(({ port }) => port === victimPort)!.slots[0][0]);

    const run = await checkDuringFault(
      {
        instances: apis.map((api) => api.url),
        dataSource: env.dataSource,
        seconds: chaosSeconds(16),
        convergeWithinMs: 10_000,
      },
      async (mark) => {
        mark('killed');
        await victim.kill();
        await until(
          async () => (await cluster.masters()).some(({ port }) => port === replica.port),
          PROMOTION_BOUND_MS,
          'the replica to be promoted',
        );
        mark('promoted');
        // The killed node comes back empty, with its cluster config: it joins as the new
        // master's replica, so WAIT 1 is answered again on that master.
        await victim.start();
        await until(
          async () =>
            /^slave0:.*state=online/m.test(
              await cluster.on(replica.port, (client) => client.info('replication')),
            ),
          RETURN_BOUND_MS,
          'the killed node to return as a replica',
        );
        mark('returned');
      },
    );
    const { report } = run;
    process.stdout.write(
      `redis cluster failover: ${formatReport(report)}\n` +
        `  master ${victim.port} killed at ${run.at('killed')} s; replica ${replica.port} promoted ` +
        `${run.msBetween('killed', 'promoted').toFixed(0)} ms later; the killed node back as its replica at ${run.at('returned')} s\n` +
        `  requests between the kill and the promotion: ${run.requestsBetween('killed', 'promoted')}; ` +
        `without a replica: ${run.requestsBetween('promoted', 'returned')}\n`,
    );
    expect(report.examples).toEqual([]);
    expect(report).toMatchObject({ stale: 0, serverErrors: 0, failedWrites: 0, failedReads: 0 });
    expect(report.unconverged).toEqual([]);
    expect(run.requestsBetween('killed', 'promoted')).toBeGreaterThan(0);
    // The invalidations no replica acknowledged stayed in the outbox and were applied since.
    await until(async () => (await env.outboxRows()) === 0, 15_000, 'the outbox to drain');
    // And the cache serves again on every master: repeated reads become hits.
    for (const api of apis) await untilCacheHit(api, '/api/clubs/search?keyword=Chaosclub');
    for (const api of apis) expect(api.output()).not.toMatch(/CROSSSLOT|Unhandled|Nest can't resolve/);
  }, 180_000);
});
