import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Test } from '@nestjs/testing';
import type { Cache } from 'cache-manager';
import { peerCacheModule } from '../../bench/peers/peer-cache';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';

/**
 * The benchmark's stock peers cache through `@nestjs/cache-manager` + `@keyv/redis`: the cache
 * they compare us with must really store in Redis, under their namespace, and serve it back.
 */
describe("the stock peers' cache (bench/peers/peer-cache.ts)", () => {
  let redis: TestRedisDb;
  beforeAll(async () => (redis = await leaseRedisDb()));
  afterAll(async () => {
    for await (const keys of redis.client.scanIterator({ MATCH: 'peer-test*' }))
      if (keys.length > 0) await redis.client.unlink(keys);
    await redis.release();
  });

  it('stores a value in Redis through CACHE_MANAGER and reads it back, from another module too', async () => {
    const build = () =>
      Test.createTestingModule({ imports: [peerCacheModule(redis.url, 'peer-test')] }).compile();
    const writer = await build();
    const cache = writer.get<Cache>(CACHE_MANAGER);
    await cache.set('kit:42', { id: 42, name: 'Peer Kit' });

    let stored: string[] = [];
    for await (const keys of redis.client.scanIterator({ MATCH: 'peer-test*' })) stored = stored.concat(keys);
    expect(stored.some((key) => key.includes('kit:42'))).toBe(true);

    const reader = await build();
    expect(await reader.get<Cache>(CACHE_MANAGER).get('kit:42')).toEqual({ id: 42, name: 'Peer Kit' });
    await Promise.all([writer.close(), reader.close()]);
  });
});
