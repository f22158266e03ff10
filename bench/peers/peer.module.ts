import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ENTITIES, Kit } from './fkapi-dist';
import { peerCacheModule } from './peer-cache';
import { PeerKitsController } from './peer-kits.controller';
import { PeerKitsService } from './peer-kits.service';

export interface PeerOptions {
  databaseUrl: string;
  /** `redis://host:port/db`. */
  redisUrl: string;
  /** Keeps the two peers' entries apart in the one benchmark Redis database. */
  cacheNamespace: string;
}

/** Our API's default pool: 10 connections. */
const POOL_SIZE = 10;

/** The stock way: TypeORM, and NestJS's cache with a Redis store (`peer-cache.ts`). */
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
        peerCacheModule(options.redisUrl, options.cacheNamespace),
      ],
      controllers: [PeerKitsController],
      providers: [PeerKitsService],
    };
  }
}
