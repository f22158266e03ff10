import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { LAPSE_MS, HEARTBEAT_MS } from '../../src/cache/l1-cache';
import { L1CachedStore } from '../../src/cache/l1-cached.store';
import { RedisCacheStore } from '../../src/cache/redis-cache.store';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { redisConnection } from '../utils/redis-connection';
import { RedisProxy, startRedisProxy } from '../utils/redis-proxy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An instance with L1 whose link to Redis hangs without closing (no FIN, no RST): nothing
 * reports the lost subscription, so only its silence can. The window during which it may still
 * answer from memory after another instance's write is bounded by the heartbeat's lapse.
 */
describe('L1 after a silent partition', () => {
  let redis: TestRedisDb;
  let proxy: RedisProxy;
  const stores: L1CachedStore[] = [];

  const openStore = async (url: string): Promise<L1CachedStore> => {
    const connection = redisConnection(url, 250, redis.index);
    const store = new L1CachedStore(
      new RedisCacheStore(connection, new CacheMetrics(new Registry()), { commandTimeoutMs: 250 }),
      { maxEntries: 100, ttlMs: 60_000 },
    );
    stores.push(store);
    await connection.open(2000);
    for (let attempt = 0; attempt < 100 && !store.serving; attempt++) await sleep(20);
    return store;
  };

  beforeAll(async () => {
    redis = await leaseRedisDb();
    proxy = await startRedisProxy(redis.url);
  });
  afterAll(async () => {
    proxy.restore();
    await Promise.all(stores.map((store) => store.store.connection.close()));
    await proxy.close();
    await redis.release();
  });

  it('stops answering from memory within the lapse, while the link still hangs', async () => {
    const [partitioned, other] = [await openStore(proxy.url), await openStore(redis.url)];
    const entry = {
      key: 'kit_60',
      value: '{"name":"old"}',
      ttlSeconds: 3600,
      cacheType: 'kit',
      tags: ['kit:60'],
    };
    expect(await other.setWithTags(entry, (await other.readSequence(entry.key))!)).toBe(true);
    expect(await partitioned.getResponse('kit_60')).not.toBeNull();
    await sleep(3 * HEARTBEAT_MS); // heartbeats flowing: the entry is served from memory
    expect(partitioned.peekResponse('kit_60')).toBeDefined();

    proxy.hang();
    await other.invalidateTags(['kit:60']); // the write is acknowledged
    const acknowledged = performance.now();
    let polls = 0;
    while (partitioned.peekResponse('kit_60') !== undefined && polls < 200) {
      polls++;
      await sleep(10);
    }
    const windowMs = performance.now() - acknowledged;
    process.stdout.write(
      `  L1 served from memory ${windowMs.toFixed(0)} ms after the write (lapse ${LAPSE_MS} ms)\n`,
    );
    expect(partitioned.peekResponse('kit_60')).toBeUndefined();
    // Bounded by the configured lapse plus a heartbeat tick (not by CACHE_L1_TTL_MS, 60 s here).
    expect(windowMs).toBeLessThanOrEqual(LAPSE_MS + 2 * HEARTBEAT_MS + 200);
  });
});
