import { performance } from 'node:perf_hooks';
import { HEARTBEAT_MS, LAPSE_MS } from '../../src/cache/l1-cache';
import { makeClub, makeKit } from '../factories/catalog';
import { adminHeaders } from '../utils/test-app';
import { startTcpProxy, TcpProxy, throughProxy } from '../utils/tcp-proxy';
import { ApiProcess } from './harness/api-process';
import { ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { sleep } from './harness/ports';

/**
 * Issue 14, item 2, with real processes: two instances with the in-process cache (L1) on;
 * instance A's link to Redis hangs without closing (no FIN, no RST: nothing tells A its
 * invalidation channel is gone) and B renames kit K. A may answer the old name from memory only
 * until its channel has been quiet for the lapse (`l1-cache.ts`: every instance publishes a
 * heartbeat every HEARTBEAT_MS, and a channel silent for LAPSE_MS, noticed at the next beat,
 * turns memory off): at most LAPSE_MS + HEARTBEAT_MS after the link went silent, which the
 * issue requires to be within 1 s. Meanwhile A must answer (from PostgreSQL), never 5xx.
 */

/**
 * The bound: the lapse is noticed at the first beat past LAPSE_MS of silence, and the silence
 * began before the write was acknowledged. One beat more is allowed to a loaded machine's timers.
 */
const WINDOW_BOUND_MS = LAPSE_MS + 2 * HEARTBEAT_MS;
/** The issue's requirement; the configured lapse must keep within it. */
const REQUIRED_MS = 1000;

interface Answer {
  sentAt: number;
  receivedAt: number;
  status: number;
  name?: string;
}

describe('L1 after a silent partition from Redis', () => {
  let env: ChaosEnvironment;
  let proxy: TcpProxy;
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    env = await startChaosEnvironment();
    const target = new URL(env.redis.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    // A long L1 TTL, so that only the heartbeat's lapse can end the window.
    const l1 = { CACHE_L1_ENABLED: 'true', CACHE_L1_TTL_MS: '600000' };
    [a, b] = await Promise.all([
      env.startApi({ ...l1, REDIS_URL: throughProxy(env.redis.url, proxy) }),
      env.startApi(l1),
    ]);
  }, 180_000);
  afterAll(async () => {
    proxy?.restore();
    await env?.close();
    await proxy?.close();
  }, 60_000);

  const read = async (api: ApiProcess, kitId: number): Promise<Answer> => {
    const sentAt = performance.now();
    const res = await fetch(`${api.url}/api/kits/${kitId}`);
    const body = res.status === 200 ? ((await res.json()) as { name: string }) : await res.text();
    return {
      sentAt,
      receivedAt: performance.now(),
      status: res.status,
      name: typeof body === 'string' ? undefined : body.name,
    };
  };
  const l1Hits = async (api: ApiProcess): Promise<number> => {
    const text = await (await fetch(`${api.url}/metrics`, { headers: adminHeaders })).text();
    const line = text.split('\n').find((l) => l.startsWith('fkapi_cache_l1_hits_total'));
    return Number(line?.split(' ').pop() ?? Number.NaN);
  };

  /** A serves `kitId` from memory: its L1 hit counter grows while the kit is read. */
  const servedFromMemory = async (kitId: number, name: string): Promise<void> => {
    for (let attempt = 0; attempt < 300; attempt++) {
      const hits = await l1Hits(a);
      expect((await read(a, kitId)).name).toBe(name);
      if ((await l1Hits(a)) > hits) return;
      await sleep(20);
    }
    throw new Error('A never answered the kit from memory');
  };

  interface Window {
    windowMs: number;
    sinceHangMs: number;
    stale: number;
    answers: number;
    serverErrors: number;
    acknowledgedAfterMs: number;
    freshMs: number;
  }

  /**
   * Hangs A's link, runs `write` (which must leave `newName` in PostgreSQL and be acknowledged),
   * then reads K on A back to back until it answers the new name; the window is from the
   * acknowledgement to the last old answer received.
   */
  const partitionAndMeasure = async (
    kitId: number,
    oldName: string,
    newName: string,
    write: () => Promise<void>,
  ): Promise<Window> => {
    await servedFromMemory(kitId, oldName);
    const hungAt = performance.now();
    proxy.hang();
    await write();
    const acknowledgedAt = performance.now();
    const answers: Answer[] = [];
    // An upper limit only against a hang: the loop ends at the first fresh answer.
    while (performance.now() - acknowledgedAt < 20_000) {
      const answer = await read(a, kitId);
      answers.push(answer);
      if (answer.name === newName) break;
    }
    const stale = answers.filter((answer) => answer.name === oldName);
    const lastStale = stale.at(-1);
    const fresh = answers.at(-1);
    expect(fresh?.name).toBe(newName);
    proxy.restore();
    return {
      windowMs: lastStale ? lastStale.receivedAt - acknowledgedAt : 0,
      sinceHangMs: lastStale ? lastStale.receivedAt - hungAt : Number.NaN,
      stale: stale.length,
      answers: answers.length,
      serverErrors: answers.filter((answer) => answer.status >= 500).length,
      acknowledgedAfterMs: acknowledgedAt - hungAt,
      freshMs: fresh ? fresh.receivedAt - fresh.sentAt : Number.NaN,
    };
  };
  const report = (what: string, w: Window): void => {
    process.stdout.write(
      `  ${what}: A answered the old name from memory ${w.windowMs.toFixed(0)} ms after the acknowledgement ` +
        `(${Number.isNaN(w.sinceHangMs) ? 'none' : `${w.sinceHangMs.toFixed(0)} ms`} after the link hung; write acknowledged ${w.acknowledgedAfterMs.toFixed(0)} ms ` +
        `after the hang); ${w.stale} stale of ${w.answers} answers; first fresh answer took ${w.freshMs.toFixed(0)} ms; ` +
        `5xx ${w.serverErrors}; bound ${WINDOW_BOUND_MS} ms (lapse ${LAPSE_MS} ms + 2 heartbeats of ${HEARTBEAT_MS} ms)\n`,
    );
  };
  const bothAnswer = async (kitId: number, name: string): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      expect((await read(a, kitId)).name).toBe(name);
      expect((await read(b, kitId)).name).toBe(name);
    }
  };

  it('the configured lapse keeps the window within the required second', () => {
    expect(WINDOW_BOUND_MS).toBeLessThanOrEqual(REQUIRED_MS);
  });

  it('a rename through B (PATCH): A answers it within the bound, never 5xx', async () => {
    const kit = await makeKit(env.dataSource, { team: await makeClub(env.dataSource) });
    const newName = `Renamed ${kit.id}`;
    expect((await read(b, kit.id)).name).toBe(kit.name);
    const w = await partitionAndMeasure(kit.id, kit.name, newName, async () => {
      const res = await fetch(`${b.url}/api/kits/${kit.id}`, {
        method: 'PATCH',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ name: newName }),
      });
      expect(res.status).toBe(200);
    });
    // Here A usually learns of the write before the heartbeat lapses: its outbox drainer, woken
    // by the commit's NOTIFY, fails to reach Redis and stops A's reads (`holdReadsUntilRecovered`).
    report('rename through B', w);
    expect(w.serverErrors).toBe(0);
    expect(w.windowMs).toBeLessThanOrEqual(WINDOW_BOUND_MS);
    await bothAnswer(kit.id, newName);
  }, 120_000);

  it('an invalidation A can only hear of through Redis: the heartbeat lapse alone ends the window', async () => {
    const kit = await makeKit(env.dataSource, { team: await makeClub(env.dataSource) });
    const newName = `Renamed quietly ${kit.id}`;
    expect((await read(b, kit.id)).name).toBe(kit.name);
    const w = await partitionAndMeasure(kit.id, kit.name, newName, async () => {
      // Changed in PostgreSQL without an outbox row (no NOTIFY reaches A), then invalidated by
      // B's admin endpoint, which only deletes and publishes in Redis.
      await env.dataSource.query('UPDATE kits SET name = $1 WHERE id = $2', [newName, kit.id]);
      const res = await fetch(`${b.url}/api/cache/invalidate`, {
        method: 'POST',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ kit: kit.id }),
      });
      expect(res.status).toBeLessThan(300);
    });
    report('invalidation heard through Redis only', w);
    expect(w.serverErrors).toBe(0);
    // The scenario did exercise memory: A still answered the old value after the acknowledgement.
    expect(w.stale).toBeGreaterThan(0);
    expect(w.windowMs).toBeLessThanOrEqual(WINDOW_BOUND_MS);
    expect(a.output()).toContain('Invalidation channel quiet');
    await bothAnswer(kit.id, newName);
  }, 120_000);
});
