import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { SCRIPTS } from '../../src/cache/redis-scripts';
import { makeClub, makeKit } from '../factories/catalog';
import { adminHeaders } from '../utils/test-app';
import { ApiProcess } from './harness/api-process';
import { ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { HoldProxy, startHoldProxy } from './harness/hold-proxy';
import { sleep } from './harness/ports';
import { recordRedisCommands, RedisCommandLog } from './harness/redis-monitor';
import { ENTRY } from '../utils/redis-db';

/**
 * Issue 14, item 1, with real processes: instance A's read of kit K misses, takes the
 * invalidation sequence, and its database answer (the old name) is held back in a proxy; while it
 * is in flight Redis restarts without persistence (its sequence and markers are gone) and
 * instance B renames K. When A's read finally ends, its store of the old name must be refused —
 * the sequence a Redis that lost its data hands out never falls below one taken before the loss
 * (`redis-scripts.ts`, NEXT_SEQUENCE) — so no instance reads the old name afterwards.
 */

/** Only the kit detail query joins this alias (`KitsRepository.detailQuery`). */
const KIT_DETAIL_SQL = '"secondaryColor"';
/** Invalidations before the race: the sequence A takes is well past what a restarted counter reaches. */
const WRITES_BEFORE = 10;
const READS_AFTER = 5;

describe('a slow read that began before Redis lost its data', () => {
  let env: ChaosEnvironment;
  let dbProxy: HoldProxy;
  let a: ApiProcess;
  let b: ApiProcess;
  let monitor: RedisCommandLog | undefined;
  const redis = (): ReturnType<typeof createClient> => {
    const client = createClient({ url: env.redis.url });
    client.on('error', () => undefined);
    return client;
  };

  beforeAll(async () => {
    env = await startChaosEnvironment();
    const db = new URL(env.db.url);
    dbProxy = await startHoldProxy(db.hostname, Number(db.port));
    db.hostname = '127.0.0.1';
    db.port = String(dbProxy.port);
    [a, b] = await Promise.all([env.startApi({}, db.toString()), env.startApi()]);
  }, 180_000);
  afterAll(async () => {
    await monitor?.stop();
    await env?.close();
    await dbProxy?.close();
  }, 60_000);

  /** Polls until `api` stores what it reads again: Redis is back and its recovery has run. */
  const storesAgain = async (api: ApiProcess, probeClubId: number): Promise<void> => {
    const client = redis();
    await client.connect();
    try {
      for (let attempt = 0; attempt < 300; attempt++) {
        const res = await fetch(`${api.url}/api/clubs/${probeClubId}`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        if ((await client.exists(`${ENTRY}club_${probeClubId}`)) === 1) return;
        await sleep(50);
      }
      throw new Error(`${api.url} did not store reads again within 300 attempts`);
    } finally {
      await client.close();
    }
  };

  const nameOn = async (api: ApiProcess, kitId: number): Promise<string> => {
    const res = await fetch(`${api.url}/api/kits/${kitId}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { name: string }).name;
  };

  it('is refused: no instance reads the old name afterwards', async () => {
    const team = await makeClub(env.dataSource);
    const kit = await makeKit(env.dataSource, { team });
    const [probeA, probeB, other] = await Promise.all([0, 1, 2].map(() => makeClub(env.dataSource)));
    const key = `${ENTRY}kit_${kit.id}`;
    const oldName = kit.name;
    const newName = `Renamed ${kit.id}`;
    const patch = (url: string, body: object): Promise<Response> =>
      fetch(url, {
        method: 'PATCH',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < WRITES_BEFORE; i++) {
      const res = await patch(`${b.url}/api/clubs/${other.id}`, { name: `Other ${i}` });
      expect(res.status).toBe(200);
    }
    const before = redis();
    await before.connect();
    const sequenceBefore = Number(await before.get('fkapi:inv:seq'));
    expect(await before.exists(key)).toBe(0);
    await before.close();

    // A's read: a miss, the sequence taken, the query run; its answer (the old name) held.
    const held = dbProxy.holdNext(KIT_DETAIL_SQL);
    const start = performance.now();
    const slowRead = fetch(`${a.url}/api/kits/${kit.id}`);
    let timer: NodeJS.Timeout | undefined;
    const answeredAt = await Promise.race([
      held.answered,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the kit detail query never reached the proxy')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));

    // Redis loses everything: sequence, markers, entries.
    const killedAt = performance.now();
    await env.redis.kill();
    await env.redis.start();
    const restartedAt = performance.now();
    monitor = await recordRedisCommands(env.redis.url);
    await Promise.all([storesAgain(a, probeA.id), storesAgain(b, probeB.id)]);
    const recoveredAt = performance.now();

    // B renames K, acknowledged once its invalidation was applied.
    const write = await patch(`${b.url}/api/kits/${kit.id}`, { name: newName });
    expect(write.status).toBe(200);
    const acknowledgedAt = performance.now();
    const after = redis();
    await after.connect();
    const sequenceAfter = Number(await after.get('fkapi:inv:seq'));
    expect(await after.exists(`fkapi:inv:tag:kit:${kit.id}`)).toBe(1);

    // A's read ends with the old name and tries to store it.
    const fromIndex = await monitor.mark('before the slow read ends');
    const releasedAt = performance.now();
    held.release();
    const slow = await slowRead;
    const slowEndedAt = performance.now();
    expect(slow.status).toBe(200);
    const slowName = ((await slow.json()) as { name: string }).name;

    // The race really happened: the read began before the loss and ended after the write, with
    // the old name; and its store reached the restarted Redis (A was serving again).
    expect(slowName).toBe(oldName);
    expect(answeredAt).toBeLessThan(killedAt);
    expect(acknowledgedAt).toBeLessThan(releasedAt);
    const toIndex = await monitor.mark('after the slow read ended');
    const attempts = monitor.commands
      .slice(fromIndex, toIndex)
      .filter(
        (c) =>
          c.parts[0].toUpperCase() === 'EVALSHA' &&
          c.parts[1] === SCRIPTS.setWithTags.sha1 &&
          c.parts[3] === key,
      );
    expect(attempts.length).toBe(1);
    const storedOld = monitor.commands.filter(
      (c) => c.parts[0].toUpperCase() === 'SET' && c.parts[1] === key && c.line.includes(oldName),
    );

    // Afterwards: both instances, several times each, and the Redis entry.
    const reads: string[] = [];
    for (let i = 0; i < READS_AFTER; i++) reads.push(await nameOn(a, kit.id), await nameOn(b, kit.id));
    const entry = await after.get(key);
    await after.close();
    if (entry !== null) reads.push((JSON.parse(entry) as { name: string }).name);
    const stale = reads.filter((name) => name !== newName).length;

    const ms = (t: number): string => `${(t - start).toFixed(0)} ms`;
    process.stdout.write(
      `  slow read: sent 0 ms, answered by PostgreSQL ${ms(answeredAt)}; Redis killed ${ms(killedAt)}, ` +
        `restarted ${ms(restartedAt)}, both instances storing again ${ms(recoveredAt)}; ` +
        `rename acknowledged ${ms(acknowledgedAt)}; slow read released ${ms(releasedAt)}, ended ${ms(slowEndedAt)} ` +
        `with "${slowName}"; store attempts by the slow read ${attempts.length}, stale SETs ${storedOld.length}; ` +
        `sequence before ${sequenceBefore}, after ${sequenceAfter}; ` +
        `stale reads ${stale} of ${reads.length} (A ${READS_AFTER}, B ${READS_AFTER}, Redis ${entry === null ? 0 : 1})\n`,
    );
    expect(storedOld.length).toBe(0);
    expect(stale).toBe(0);
    expect(sequenceAfter).toBeGreaterThan(sequenceBefore);
  }, 120_000);
});
