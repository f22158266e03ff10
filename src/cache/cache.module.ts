import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import KeyvRedis from '@keyv/redis';
import Keyv from 'keyv';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CacheMetrics } from '../metrics/cache-metrics';
import { CacheAdminController } from './cache-admin.controller';
import { CacheAdminService } from './cache-admin.service';
import { CacheInvalidationService } from './cache-invalidation.service';
import { NAMESPACE } from './cache-key';
import { CacheStatsService } from './cache-stats.service';
import { CACHE_STORE, CacheStore } from './cache-store';
import { CacheService } from './cache.service';
import { CachedMethodsExplorer } from './cached-methods.explorer';
import { CachedResponseHooks } from './http/cached-response.hooks';
import { CachedResponses } from './http/cached-responses';
import { MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';
import { createRedisClient, REDIS_CLIENT, RedisClient, redisDatabaseOf } from './redis-client';

/** How long the start waits for Redis before serving without it (it keeps reconnecting). */
const STARTUP_WAIT_MS = 2000;

/**
 * The `CACHE_MANAGER` of `@nestjs/cache-manager` (cache-manager 7 over Keyv: `@keyv/redis` with
 * `REDIS_URL`, memory otherwise), for code that wants Nest's generic cache, under
 * `fkapi:cache-manager:`. Our own reads do not go through it: Keyv wraps each value in an
 * envelope (`{"value":…,"expires":…}`) that a hit would have to unwrap and re-serialise, and it
 * cannot set a value together with its tag memberships atomically. The hot path therefore uses
 * node-redis directly — one `GET` per hit, one Lua script per store — through {@link CacheStore}.
 * Entries written through `CACHE_MANAGER` are not tag-indexed: they expire by TTL only.
 */
function cacheManagerStore(config: AppConfig): Keyv {
  const logger = new Logger('CacheManager');
  const namespace = `${NAMESPACE}cache-manager`;
  const keyv = config.redisUrl
    ? new Keyv({
        store: new KeyvRedis(config.redisUrl, {
          keyPrefixSeparator: ':',
          throwOnConnectError: false,
          connectionTimeout: Math.max(1000, config.redisCommandTimeoutMs),
        }),
        namespace,
        useKeyPrefix: false,
      })
    : new Keyv({ namespace });
  keyv.on('error', (error: unknown) => logger.warn(`Keyv: ${String(error)}`));
  return keyv;
}

/** Connects the Redis store once every module is initialised (recovery tasks registered), closes it last. */
@Injectable()
class CacheStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(CACHE_STORE) private readonly store: CacheStore) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.store instanceof RedisCacheStore) await this.store.start(STARTUP_WAIT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof RedisCacheStore) await this.store.close();
  }
}

/**
 * The cache (DESIGN.md §2–§4): store, `@Cached` reads, invalidation, administration endpoints.
 * Global: services use `@Cached` and inject `CacheInvalidationService` without importing it.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    NestCacheModule.registerAsync({
      isGlobal: true,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        stores: [cacheManagerStore(config)],
        ttl: config.cacheTtlSeconds * 1000,
      }),
    }),
  ],
  controllers: [CacheAdminController],
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): RedisClient | null =>
        config.redisUrl ? createRedisClient(config.redisUrl, config.redisCommandTimeoutMs) : null,
    },
    {
      provide: CACHE_STORE,
      inject: [APP_CONFIG, REDIS_CLIENT, CacheMetrics],
      useFactory: (config: AppConfig, client: RedisClient | null, metrics: CacheMetrics): CacheStore =>
        client
          ? new RedisCacheStore(client, metrics, {
              commandTimeoutMs: config.redisCommandTimeoutMs,
              database: redisDatabaseOf(config.redisUrl),
              l1: config.cacheL1.enabled ? config.cacheL1 : undefined,
            })
          : new MemoryCacheStore(),
    },
    CacheStoreLifecycle,
    CacheService,
    CacheInvalidationService,
    CacheStatsService,
    CacheAdminService,
    CachedMethodsExplorer,
    CachedResponses,
    CachedResponseHooks,
  ],
  exports: [
    REDIS_CLIENT,
    CACHE_STORE,
    CacheService,
    CacheInvalidationService,
    CacheStatsService,
    CachedResponses,
  ],
})
export class CacheModule {}
