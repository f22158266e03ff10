import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrandsModule } from './brands/brands.module';
import { CacheInvalidationService } from './cache/cache-invalidation.service';
import { CACHE_STORE } from './cache/cache-store';
import { REDIS_CLIENT, RedisClient } from './cache/redis-client';
import { CacheModule } from './cache/cache.module';
import { OutboxModule } from './cache/outbox/outbox.module';
import { ClubsModule } from './clubs/clubs.module';
import { ApiKeyGuard } from './common/auth/api-key.guard';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { CompetitionsModule } from './competitions/competitions.module';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { HealthModule } from './health/health.module';
import { KitsModule } from './kits/kits.module';
import { MetricsModule } from './metrics/metrics.module';
import { rateLimitOptions } from './common/http/rate-limit';
import { SeasonsModule } from './seasons/seasons.module';
import { UserCollectionsModule } from './user-collections/user-collections.module';

@Module({})
export class AppModule {
  /** The whole application for one validated configuration (the database URL already resolved). */
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a database URL');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.databasePoolSize)),
        // The Redis client comes from the (global) cache module: counts are shared by every instance.
        ThrottlerModule.forRootAsync({
          inject: [REDIS_CLIENT],
          useFactory: (redis: RedisClient | null) => rateLimitOptions(config, redis),
        }),
        MetricsModule.forRoot(),
        CacheModule,
        // After-commit invalidation of every write, through the outbox (DESIGN.md §3).
        OutboxModule.forRoot({
          invalidator: CacheInvalidationService,
          readsResumeGate: CACHE_STORE,
          crashAfterCommit: config.testCrashAfterCommit,
        }),
        HealthModule,
        ClubsModule,
        SeasonsModule,
        BrandsModule,
        CompetitionsModule,
        KitsModule,
        UserCollectionsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        // Order matters: an unauthenticated request is refused before it counts against a rate limit.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
      ],
    };
  }
}

export { APP_CONFIG };
