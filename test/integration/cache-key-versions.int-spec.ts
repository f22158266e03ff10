import { Registry } from 'prom-client';
import { CacheInvalidationService } from '../../src/cache/cache-invalidation.service';
import { ENTRY_VERSION, entryKey } from '../../src/cache/cache-key';
import { RedisCacheStore } from '../../src/cache/redis-cache.store';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { redisConnection } from '../utils/redis-connection';

/**
 * During a rolling deploy that bumped the cache schema version, instances of both versions run on
 * one Redis. Each reads only its own version's entries, and a write on either must invalidate
 * the entries of both: the tag index is shared, so an invalidation reaches every version.
 */
describe('cache entries of two schema versions on one Redis', () => {
  let redis: TestRedisDb;
  let store: RedisCacheStore;
  beforeAll(async () => {
    redis = await leaseRedisDb();
    store = new RedisCacheStore(redisConnection(redis.url, 1000), new CacheMetrics(new Registry()), {
      commandTimeoutMs: 1000,
    });
    await store.connection.open(2000);
  });
  afterAll(async () => {
    await store?.connection.close();
    await redis?.release();
  });

  const OLD = 'v0:';
  const put = async (key: string, tags: string[]) =>
    store.setWithTags(
      { key, value: JSON.stringify({ key }), ttlSeconds: 600, cacheType: 'club', tags },
      (await store.readSequence(key)) ?? 0,
    );

  it('keeps them apart for reads, and drops both when the entity changes', async () => {
    expect(entryKey('club', [5])).toBe(`${ENTRY_VERSION}club_5`);
    expect(await put(`${OLD}club_5`, ['club:5'])).toBe(true);
    expect(await put(entryKey('club', [5]), ['club:5'])).toBe(true);
    expect(await put(entryKey('club', [6]), ['club:6'])).toBe(true);
    expect(JSON.parse((await store.get(entryKey('club', [5]))) ?? 'null')).toEqual({
      key: `${ENTRY_VERSION}club_5`,
    });
    expect(await redis.client.exists(`fkapi:${OLD}club_5`)).toBe(1);

    // A write on an instance of either version invalidates by tag.
    expect(await new CacheInvalidationService(store).invalidateClubCache(5)).toBe(2);

    expect(await redis.client.exists([`fkapi:${OLD}club_5`, `fkapi:${ENTRY_VERSION}club_5`])).toBe(0);
    expect(await redis.client.exists(`fkapi:${ENTRY_VERSION}club_6`)).toBe(1);
  });
});
