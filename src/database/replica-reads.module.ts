import { DynamicModule, Global, Module } from '@nestjs/common';
import { WAL_FENCE } from '../cache/outbox/wal-fence';
import { AppConfig } from '../config/app-config';
import { ReplicaMetrics } from '../metrics/replica-metrics';
import { InvalidationWatermark } from './invalidation-watermark';
import { ReplicaRouter } from './replica-router';

/**
 * Reads from PostgreSQL streaming replicas (`DATABASE_REPLICA_URLS`, docs/SCALING.md): routes
 * replica-eligible reads (`ReplicaRouter`) and gives the outbox its `WAL_FENCE`. Without replicas
 * it provides nothing, and the outbox and TypeORM behave as with one database. Global, so the
 * outbox finds the fence without importing this module. Needs TypeORM's DataSource (built with
 * `dataSourceOptions(url, size, replicaUrls)`), the Redis client and the metrics registry.
 */
@Global()
@Module({})
export class ReplicaReadsModule {
  static forRoot(config: Pick<AppConfig, 'databaseReplicaUrls'>): DynamicModule {
    if (config.databaseReplicaUrls.length === 0) return { module: ReplicaReadsModule };
    return {
      module: ReplicaReadsModule,
      providers: [
        ReplicaMetrics,
        InvalidationWatermark,
        { provide: WAL_FENCE, useExisting: InvalidationWatermark },
        ReplicaRouter,
      ],
      exports: [WAL_FENCE, InvalidationWatermark, ReplicaMetrics],
    };
  }
}
