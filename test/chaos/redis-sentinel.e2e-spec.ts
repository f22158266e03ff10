// Redis under Sentinel with real API processes: the master SIGKILLed under load, the replica
// promoted, the APIs following it through their relay (src/redis/sentinel-relay.ts), nothing
// stale and no 5xx; the old master then returns as a replica and the cache serves again.
import { ApiProcess, untilCacheHit } from './harness/api-process';
import { checkDuringFault, formatReport } from './harness/consistency';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import {
  DOWN_AFTER_MS,
  FAILOVER_TIMEOUT_MS,
  OLD_MASTER_RETURN_MS,
  SentinelGroup,
  startSentinelGroup,
  until,
} from './harness/redis-sentinel';

const REDIS_COMMAND_TIMEOUT_MS = 250;
/**
 * Sentinel needs `down-after` to notice, then an election and a promotion; an election that split
 * is tried again after twice `failover-timeout`.
 */
const FAILOVER_BOUND_MS = DOWN_AFTER_MS + 2 * FAILOVER_TIMEOUT_MS + 10_000;
/** The relays poll the sentinels every second, besides `+switch-master`. */
const FOLLOW_BOUND_MS = 5000;

describe('Redis under Sentinel: the master killed under load', () => {
  let env: ChaosEnvironment;
  let group: SentinelGroup;
  let apis: ApiProcess[];

  beforeAll(async () => {
    env = await startChaosEnvironment();
    group = await startSentinelGroup();
    const settings = {
      // The environment's own Redis is not used: these APIs find theirs through the sentinels.
      REDIS_URL: '',
      ...group.env,
      REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
      // No L1: with it, the other instance may answer from memory until the pub/sub message
      // arrives (the window test/chaos/consistency.e2e-spec.ts allows), and this test asserts no
      // stale read at all. The L1's duplicated subscriber following a failover is checked in
      // test/integration/redis-sentinel.int-spec.ts.
    };
    apis = await Promise.all([env.startApi(settings), env.startApi(settings)]);
    for (const api of apis)
      await until(
        () => /Redis master fkapi is 127\.0\.0\.1:\d+/.test(api.output()),
        10_000,
        'the relay to resolve',
      );
  }, 180_000);
  afterAll(async () => {
    await env?.close();
    await group?.stop();
  }, 60_000);

  it('follows the failover: no 5xx, nothing stale, the invalidations of the outage drained', async () => {
    const run = await checkDuringFault(
      { instances: apis.map((a) => a.url), dataSource: env.dataSource, seconds: chaosSeconds(14) },
      async (mark) => {
        mark('killed');
        await group.master.kill();
        await group.waitForMaster(group.replica.port, FAILOVER_BOUND_MS);
        mark('promoted');
        for (const api of apis)
          await until(
            () => /Redis master changed from .* to 127\.0\.0\.1:\d+/.test(api.output()),
            FOLLOW_BOUND_MS,
            'the API to follow',
          );
        mark('followed');
        // Until the old master returns as a replica, no invalidation is acknowledged by a
        // replica: they stay in the outbox, reads are served from PostgreSQL.
        await group.restartOldMaster(OLD_MASTER_RETURN_MS);
        mark('replica back');
      },
    );
    const { report } = run;
    process.stdout.write(
      `sentinel failover: ${formatReport(report)}\n` +
        `  master killed at ${run.at('killed')} s; replica promoted ${run.msBetween('killed', 'promoted').toFixed(0)} ms later ` +
        `(down-after ${DOWN_AFTER_MS} ms); both APIs following ${run.msBetween('killed', 'followed').toFixed(0)} ms after the kill; ` +
        `old master back as replica at ${run.at('replica back')} s\n` +
        `  requests between the kill and the APIs following: ${run.requestsBetween('killed', 'followed')}; ` +
        `without a replica: ${run.requestsBetween('followed', 'replica back')}\n` +
        report.staleReads
          .map(
            (r) =>
              `  stale at ${run.at(r.startedAt ?? NaN)} s on ${r.instance}, ${r.delayMs.toFixed(0)} ms after the write (via ${r.writtenVia}): ${r.what}\n`,
          )
          .join(''),
    );
    expect(report.examples).toEqual([]);
    expect(report).toMatchObject({ stale: 0, serverErrors: 0, failedWrites: 0, failedReads: 0 });
    expect(run.requestsBetween('killed', 'followed')).toBeGreaterThan(0);
    expect(report.cacheHits).toBeGreaterThan(0);
    // The invalidations no replica acknowledged stayed in the outbox and were applied since.
    await until(async () => (await env.outboxRows()) === 0, 10_000, 'the outbox to drain');
    // And the cache serves again, from the new master: a repeated read becomes a hit.
    for (const api of apis) await untilCacheHit(api, '/api/clubs/search?keyword=Chaosclub');
    for (const api of apis) expect(api.output()).not.toMatch(/Nest can't resolve|Unhandled/);
  }, 120_000);
});
