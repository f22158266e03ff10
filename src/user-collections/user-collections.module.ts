import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CollectionCatalogRepository } from './collection-catalog.repository';
import { UserCollectionFetcher } from './collection-fetcher';
import { CollectionUpstreamClient } from './upstream-client';
import { REDIS_CLIENT, RedisClient } from '../redis/redis-client';
import { createFetchCoordination, FETCH_COORDINATION } from './fetch-coordination';
import { UserCollectionStore } from './user-collection.store';
import { UserCollectionsController } from './user-collections.controller';
import { UserCollectionsService } from './user-collections.service';

const UPSTREAM_TIMEOUT_MS = 15_000;
const UPSTREAM_MAX_RETRIES = 3;
const UPSTREAM_MAX_BODY_BYTES = 5 * 1024 * 1024;

@Module({
  controllers: [UserCollectionsController],
  providers: [
    {
      provide: FETCH_COORDINATION,
      inject: [REDIS_CLIENT],
      useFactory: (redis: RedisClient | null) => createFetchCoordination(redis),
    },
    UserCollectionStore,
    {
      provide: CollectionUpstreamClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new CollectionUpstreamClient({
          baseUrl: config.userCollectionUpstreamUrl,
          userAgent: config.userCollectionUserAgent,
          timeoutMs: UPSTREAM_TIMEOUT_MS,
          maxRetries: UPSTREAM_MAX_RETRIES,
          retryBackoffMs: config.userCollectionRetryBackoffMs,
          maxBodyBytes: UPSTREAM_MAX_BODY_BYTES,
        }),
    },
    CollectionCatalogRepository,
    UserCollectionFetcher,
    UserCollectionsService,
  ],
  exports: [UserCollectionsService],
})
export class UserCollectionsModule {}
