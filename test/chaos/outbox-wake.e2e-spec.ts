import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { makeClub } from '../factories/catalog';
import { adminHeaders } from '../utils/test-app';
import { startTcpProxy, TcpProxy, throughProxy } from '../utils/tcp-proxy';
import { ApiProcess } from './harness/api-process';
import { ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { sleep } from './harness/ports';
import { ENTRY } from '../utils/redis-db';
import { recordRedisCommands, RedisCommandLog } from './harness/redis-monitor';

/** The drainers' poll interval (`DEFAULT_OUTBOX_DRAINER_OPTIONS.pollIntervalMs`). */
const POLL_INTERVAL_MS = 1000;
const WRITES = 9;

/** The figure: another instance applies the invalidation within this long of the commit. */
const TARGET_MS = 100;

/**
 * Instance A is cut off from Redis, instance B is not. A's writes commit with their outbox row
 * and A cannot invalidate; B must apply the invalidation as soon as the row commits (woken by
 * PostgreSQL NOTIFY), not at its next poll.
 *
 * Measured twice: from when the write was sent (the test's clock, polling the key), and from the
 * commit (issue 14, item 3): the outbox row is inserted last before COMMIT
 * (`InvalidationSubscriber.beforeTransactionCommit`), so a test-only trigger records
 * `clock_timestamp()` at that insert — an instant before the commit, so the window measured
 * from it is, if anything, longer — and Redis MONITOR stamps the UNLINK of the entry by B's
 * invalidation script. Both clocks are this machine's.
 */
describe('an outbox row committed by an instance cut off from Redis', () => {
  let env: ChaosEnvironment;
  let proxy: TcpProxy;
  let a: ApiProcess;
  let b: ApiProcess;
  let redis: ReturnType<typeof createClient>;
  let monitor: RedisCommandLog;

  beforeAll(async () => {
    env = await startChaosEnvironment();
    const target = new URL(env.redis.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    [a, b] = await Promise.all([
      env.startApi({ REDIS_URL: throughProxy(env.redis.url, proxy) }),
      env.startApi(),
    ]);
    redis = createClient({ url: env.redis.url });
    await redis.connect();
    // Test-only bookkeeping in the test's own database: when each outbox row was inserted.
    await env.dataSource.query(
      'CREATE TABLE chaos_outbox_inserted (id bigint PRIMARY KEY, tags text[], at_ms double precision)',
    );
    await env.dataSource.query(`
      CREATE FUNCTION chaos_outbox_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO chaos_outbox_inserted VALUES (NEW.id, NEW.tags, extract(epoch FROM clock_timestamp()) * 1000);
        RETURN NEW;
      END $$`);
    await env.dataSource.query(
      'CREATE TRIGGER chaos_outbox_inserted AFTER INSERT ON cache_outbox FOR EACH ROW EXECUTE FUNCTION chaos_outbox_inserted()',
    );
    monitor = await recordRedisCommands(env.redis.url);
  }, 180_000);
  afterAll(async () => {
    await monitor?.stop();
    await redis?.close();
    await env?.close();
    await proxy?.close();
  }, 60_000);

  it('is invalidated by another instance within a fraction of its poll interval', async () => {
    const clubs = await Promise.all(Array.from({ length: WRITES }, () => makeClub(env.dataSource)));
    for (const club of clubs) expect((await fetch(`${b.url}/api/clubs/${club.id}`)).status).toBe(200);
    proxy.cut();
    const windows: number[] = [];
    for (const club of clubs) {
      const key = `${ENTRY}club_${club.id}`;
      expect(await redis.exists(key)).toBe(1);
      const sent = performance.now();
      const write = fetch(`${a.url}/api/clubs/${club.id}`, {
        method: 'PATCH',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Woken ${club.id}` }),
      });
      let gone = Infinity;
      while (performance.now() - sent < 3 * POLL_INTERVAL_MS) {
        if ((await redis.exists(key)) === 0) {
          gone = performance.now();
          break;
        }
        await sleep(2);
      }
      expect((await write).status).toBe(200);
      windows.push(gone - sent);
      const read = (await (await fetch(`${b.url}/api/clubs/${club.id}`)).json()) as { name: string };
      expect(read.name).toBe(`Woken ${club.id}`);
    }
    const sorted = [...windows].sort((x, y) => x - y);
    process.stdout.write(
      `  invalidated by the other instance ${sorted.map((ms) => ms.toFixed(0)).join(', ')} ms after the write was sent ` +
        `(median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms; poll interval ${POLL_INTERVAL_MS} ms)\n`,
    );
    // Woken by the commit, not by a poll tick. A poll tick comes at a uniform point of the
    // interval, so polling alone would put about half the windows past POLL_INTERVAL_MS / 2 (all
    // but one inside it by chance: 10 in 512). One late window is allowed to a loaded machine.
    const inside = windows.filter((ms) => ms < POLL_INTERVAL_MS / 2).length;
    expect(inside).toBeGreaterThanOrEqual(WRITES - 1);

    // From the commit: the row's insert (PostgreSQL's clock) to B's UNLINK of the entry (Redis's).
    const end = await monitor.mark('all invalidations applied');
    const inserted = await env.dataSource.query<{ tags: string[]; at_ms: number }[]>(
      'SELECT tags, at_ms FROM chaos_outbox_inserted',
    );
    const fromCommit: number[] = [];
    for (const club of clubs) {
      const key = `${ENTRY}club_${club.id}`;
      const row = inserted.find((r) => r.tags.includes(`club:${club.id}`));
      const unlink = monitor.commands
        .slice(0, end)
        .find((c) => c.parts[0].toUpperCase() === 'UNLINK' && c.parts.includes(key));
      expect(row).toBeDefined();
      expect(unlink).toBeDefined();
      fromCommit.push(unlink!.atMs - Number(row!.at_ms));
    }
    const byCommit = [...fromCommit].sort((x, y) => x - y);
    const within = fromCommit.filter((ms) => ms <= TARGET_MS).length;
    process.stdout.write(
      `  invalidated by the other instance ${byCommit.map((ms) => ms.toFixed(1)).join(', ')} ms after the commit ` +
        `(median ${byCommit[Math.floor(byCommit.length / 2)].toFixed(1)} ms, max ${byCommit.at(-1)!.toFixed(1)} ms; ` +
        `${within} of ${WRITES} within ${TARGET_MS} ms)\n`,
    );
    // After the commit, never before it: the two clocks agree, and B did not delete the entry for
    // another reason ahead of the write.
    expect(byCommit[0]).toBeGreaterThan(0);
    // The same robust count as above: a loaded machine may delay one wake-up, polling alone
    // would put about half past POLL_INTERVAL_MS / 2.
    expect(fromCommit.filter((ms) => ms < POLL_INTERVAL_MS / 2).length).toBeGreaterThanOrEqual(WRITES - 1);
    proxy.restore();
  }, 120_000);
});
