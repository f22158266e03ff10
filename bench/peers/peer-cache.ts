import KeyvRedis from '@keyv/redis';
import { CacheModule } from '@nestjs/cache-manager';
import { DynamicModule } from '@nestjs/common';

/** Our API's default TTL: one hour. */
const TTL_MS = 3_600_000;

/**
 * The stock peers' cache, after https://docs.nestjs.com/techniques/caching ("Using alternative
 * cache stores"): `CacheModule.registerAsync` with a `@keyv/redis` store. Only the Redis store:
 * the docs' example puts an in-memory store first, which would make this an L1 comparison. The
 * only use of `@nestjs/cache-manager`, `cache-manager`, `keyv` and `@keyv/redis` in the project
 * (devDependencies); `test/integration/bench-peer-cache.int-spec.ts` goes through it.
 */
export function peerCacheModule(redisUrl: string, namespace: string): DynamicModule {
  return CacheModule.registerAsync({
    useFactory: () => ({ stores: [new KeyvRedis(redisUrl)], ttl: TTL_MS, namespace }),
  });
}
