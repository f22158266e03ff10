import { makeKit } from '../factories/catalog';
import { sampleValue } from '../utils/prometheus-text';
import { ENTRY, TestRedisDb } from '../utils/redis-db';
import { TestApp, useTestAppWithRedis } from '../utils/test-app';

/** Two limits the README states, over real sockets: `max-age` capped by the TTL, and the L1's size. */

async function counter(t: TestApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  return sampleValue(text, name, labels) ?? 0;
}

describe('Cache-Control max-age above the TTL', () => {
  let t: TestApp;
  useTestAppWithRedis(
    (started) => ({ t } = started),
    { CACHE_HTTP_MAX_AGE_SECONDS: '7200', CACHE_TTL_SECONDS: '60' },
    { listen: true },
  );

  it('is capped at CACHE_TTL_SECONDS on the miss, the pipeline hit and the fast-path hit', async () => {
    const kit = await makeKit(t.dataSource);
    const hitsBefore = await counter(t, 'fkapi_cache_hits_total', { cache_type: 'kit' });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await fetch(`${t.baseUrl}/api/kits/${kit.id}`));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);
    expect(answers.map((res) => res.headers.get('cache-control'))).toEqual(
      Array(3).fill('public, max-age=60'),
    );
    // The cache did answer: the header of a hit is the one checked, not only the miss's.
    expect(
      (await counter(t, 'fkapi_cache_hits_total', { cache_type: 'kit' })) - hitsBefore,
    ).toBeGreaterThanOrEqual(1);
  });
});

describe('the L1 holds at most CACHE_L1_MAX_ENTRIES entries', () => {
  let t: TestApp;
  let redis: TestRedisDb;
  const MAX_ENTRIES = 3;
  useTestAppWithRedis(
    (started) => ({ t, redis } = started),
    { CACHE_L1_ENABLED: 'true', CACHE_L1_MAX_ENTRIES: String(MAX_ENTRIES) },
    { listen: true },
  );

  /** Reads a kit; answers whether the answer came from process memory (an L1 hit counted). */
  const fromMemory = async (id: number): Promise<boolean> => {
    const before = await counter(t, 'fkapi_cache_l1_hits_total');
    const res = await fetch(`${t.baseUrl}/api/kits/${id}`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    return (await counter(t, 'fkapi_cache_l1_hits_total')) - before === 1;
  };

  it('evicts the least recently used entry past the limit; the evicted one is read from Redis again', async () => {
    const kits = [];
    for (let i = 0; i < MAX_ENTRIES + 2; i++) kits.push(await makeKit(t.dataSource));
    // Each kit read until it is answered from memory (a read racing the invalidation of the kit's
    // own insert is rightly not kept), in order: memory ends holding the last MAX_ENTRIES.
    for (const kit of kits) {
      let inMemory = false;
      for (let attempt = 0; attempt < 20 && !inMemory; attempt++) inMemory = await fromMemory(kit.id);
      expect(inMemory).toBe(true);
    }
    const evicted = kits.slice(0, kits.length - MAX_ENTRIES);
    const kept = kits.slice(kits.length - MAX_ENTRIES);
    // Most recent first, so reading them does not change which are the most recent.
    for (const kit of [...kept].reverse()) expect(await fromMemory(kit.id)).toBe(true);
    const redisHitsBefore = await counter(t, 'fkapi_cache_hits_total', { cache_type: 'kit' });
    expect(await fromMemory(evicted[0].id)).toBe(false);
    // Still a cache hit (from Redis, where the entry is), not a database read.
    expect((await counter(t, 'fkapi_cache_hits_total', { cache_type: 'kit' })) - redisHitsBefore).toBe(1);
    expect(await redis.client.exists(`${ENTRY}kit_${evicted[0].id}`)).toBe(1);
  });
});
