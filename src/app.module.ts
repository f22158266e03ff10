import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrandsModule } from './brands/brands.module';
import { CacheInvalidationService } from './cache/cache-invalidation.service';
import { CACHE_STORE } from './cache/cache-store';
import { CacheModule } from './cache/cache.module';
import { OutboxModule } from './cache/outbox/outbox.module';
import { ClubsModule } from './clubs/clubs.module';
import { ColorsModule } from './colors/colors.module';
import { Variation } from './colors/variation.entity';
import { ApiKeyGuard } from './common/auth/api-key.guard';
import { Clock, ClockModule } from './common/clock';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { CompetitionsModule } from './competitions/competitions.module';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source-options';
import { ReplicaReadsModule } from './database/replica-reads.module';
import { HealthModule } from './health/health.module';
import { KitTypesModule } from './kit-types/kit-types.module';
import { KitsModule } from './kits/kits.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitGuard } from './common/http/rate-limit.guard';
import { RateLimiter } from './common/http/rate-limiter';
import { RateLimitModule } from './common/http/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { SeasonsModule } from './seasons/seasons.module';
import { UserCollectionsModule } from './user-collections/user-collections.module';

/** What a caller may put in place of the application's defaults. */
export interface AppOptions {
  clock?: Clock;
}

@Module({})
export class AppModule {
  /**
   * The whole application for one validated configuration (the database URL already resolved);
   * `options.clock` replaces the wall clock (tests).
   */
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    if (!config.databaseUrl) throw new Error('AppModule needs a database URL');
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(options.clock),
        TypeOrmModule.forRoot(
          dataSourceOptions(
            config.databaseUrl,
            config.databasePoolSize,
            config.databaseReplicaUrls,
            config.databaseTimeouts,
          ),
        ),
        ReplicaReadsModule.forRoot(config),
        // The Redis connection (global), or none without REDIS_URL: the cache store, the rate
        // limiter, user collections and the replica watermark use it.
        RedisModule,
        // Counts shared by every instance through RedisModule's client.
        RateLimitModule,
        ThrottlerModule.forRootAsync({
          imports: [RateLimitModule],
          inject: [RateLimiter],
          useFactory: (limiter: RateLimiter) => limiter.throttlerOptions(),
        }),
        MetricsModule.forRoot(),
        CacheModule,
        // After-commit invalidation of every write, through the outbox (docs/DESIGN.md §3).
        OutboxModule.forRoot({
          invalidator: CacheInvalidationService,
          readsResumeGate: CACHE_STORE,
          // Each catalogue module declares its own rules (`@InvalidatesOn`); no cached read contains these.
          notCached: [Variation],
        }),
        HealthModule,
        ClubsModule,
        SeasonsModule,
        BrandsModule,
        CompetitionsModule,
        KitTypesModule,
        ColorsModule,
        KitsModule,
        UserCollectionsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        // Order matters: an unauthenticated request is refused before it counts against a rate limit.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}

export { APP_CONFIG };
