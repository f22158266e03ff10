import KeyvRedis from '@keyv/redis';
import { CacheModule } from '@nestjs/cache-manager';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES, Kit } from './fkapi-dist';
import { PeerKitsController } from './peer-kits.controller';
import { PeerKitsService } from './peer-kits.service';

export interface PeerOptions {
  databaseUrl: string;
  /** `redis://host:port/db`. */
  redisUrl: string;
  /** Keeps the two peers' entries apart in the one benchmark Redis database. */
  cacheNamespace: string;
}

/** Our API's defaults: a pool of 10 and a TTL of one hour. */
const POOL_SIZE = 10;
const TTL_MS = 3_600_000;

/**
 * The stock way, after https://docs.nestjs.com/techniques/caching ("Using alternative cache
 * stores"): `CacheModule.registerAsync` with a `@keyv/redis` store. Only the Redis store: the
 * docs' example puts an in-memory store first, which would make this an L1 comparison.
 */
@Module({})
export class PeerModule {
  static forRoot(options: PeerOptions): DynamicModule {
    return {
      module: PeerModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.databaseUrl,
          entities: ENTITIES,
          synchronize: false,
          extra: { max: POOL_SIZE, application_name: `fkapi-bench-${options.cacheNamespace}` },
        }),
        TypeOrmModule.forFeature([Kit]),
        CacheModule.registerAsync({
          useFactory: () => ({
            stores: [new KeyvRedis(options.redisUrl)],
            ttl: TTL_MS,
            namespace: options.cacheNamespace,
          }),
        }),
      ],
      controllers: [PeerKitsController],
      providers: [PeerKitsService],
    };
  }
}
