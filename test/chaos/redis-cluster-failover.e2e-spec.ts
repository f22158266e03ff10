// A Redis Cluster master SIGKILLed under load (test/chaos/harness/redis-cluster.ts): its replica is
// promoted by the cluster itself, the API processes follow the new layout, nothing stale and no
// 5xx; the killed node returns empty as a replica and the invalidations of the outage are applied.
import { ApiProcess, untilCacheHit } from './harness/api-process';
import { checkDuringFault, formatReport } from './harness/consistency';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { OwnRedisCluster, startOwnRedisCluster } from './harness/redis-cluster';
import { until } from './harness/redis-sentinel';

/** The cluster notices a dead master after its node timeout (2 s), then its replica is elected. */
const PROMOTION_BOUND_MS = 20_000;
/** The returned node syncs from the new master (empty, so at once). */
const RETURN_BOUND_MS = 20_000;

describe('Redis Cluster: a master killed under load', () => {
  let env: ChaosEnvironment;
  let cluster: OwnRedisCluster;
  let apis: ApiProcess[];

  beforeAll(async () => {
    env = await startChaosEnvironment();
    cluster = await startOwnRedisCluster();
    const settings = {
      // The environment's own Redis is not used: these APIs use the cluster.
      REDIS_URL: '',
      ...cluster.env,
      // The limiter on, as shipped, with a limit the checker's load stays under.
      RATE_LIMIT_PER_HOUR: '10000000',
    };
    apis = await Promise.all([env.startApi(settings), env.startApi(settings)]);
  }, 180_000);
  afterAll(async () => {
    await env?.close();
    await cluster?.stop();
  }, 60_000);

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
