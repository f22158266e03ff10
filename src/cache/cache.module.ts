import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CacheMetrics } from '../metrics/cache-metrics';
import { REDIS_CONNECTION, RedisConnection } from '../redis/redis-connection';
import { RedisModule } from '../redis/redis.module';
import { CacheAdminController } from './cache-admin.controller';
import { CacheAdminService } from './cache-admin.service';
import { CacheInvalidationService } from './cache-invalidation.service';
import { CacheStatsService } from './cache-stats.service';
import { CACHE_STORE, CacheStore } from './cache-store';
import { CacheService } from './cache.service';
import { CachedMethodsExplorer } from './cached-methods.explorer';
import { CachedResponseHooks } from './http/cached-response.hooks';
import { CachedResponses } from './http/cached-responses';
import { HitPathRoutes } from './http/hit-path-routes';
import { L1CachedStore } from './l1-cached.store';
import { MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';

/**
 * The store on the application's Redis connection, with the L1 in front when enabled; in memory
 * when `RedisModule` has no connection (no `REDIS_URL`). The connection starts and stops it.
 */
function cacheStoreOn(
  connection: RedisConnection | null,
  config: AppConfig,
  metrics: CacheMetrics,
): CacheStore {
  if (!connection) return new MemoryCacheStore();
  const store = new RedisCacheStore(connection, metrics, { commandTimeoutMs: config.redisCommandTimeoutMs });
  return config.cacheL1.enabled ? new L1CachedStore(store, config.cacheL1) : store;
}

/**
 * The cache (docs/DESIGN.md §2–§4): store, `@Cached` reads, invalidation, administration endpoints.
 * Global: services use `@Cached` and inject `CacheInvalidationService` without importing it.
 */
@Global()
@Module({
  imports: [DiscoveryModule, RedisModule],
  controllers: [CacheAdminController],
  providers: [
    { provide: CACHE_STORE, inject: [REDIS_CONNECTION, APP_CONFIG, CacheMetrics], useFactory: cacheStoreOn },
    CacheService,
    CacheInvalidationService,
    CacheStatsService,
    CacheAdminService,
    CachedMethodsExplorer,
    HitPathRoutes,
    CachedResponses,
    CachedResponseHooks,
  ],
  exports: [CACHE_STORE, CacheService, CacheInvalidationService, CacheStatsService, CachedResponses],
})
export class CacheModule {}
