import { DynamicModule, Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { CacheMetrics, METRICS_REGISTRY } from './cache-metrics';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { ReadinessMetrics } from './readiness-metrics';

/**
 * Prometheus metrics at `GET /metrics` (docs/DESIGN.md §5) through `@willsoto/nestjs-prometheus`,
 * in prom-client's default registry: the cache metrics (seed names), HTTP durations and the
 * default Node metrics. Global, so the cache records into {@link CacheMetrics} without imports.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(): DynamicModule {
    return {
      module: MetricsModule,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          // Registered once per process: a second application in the same process (tests)
          // reuses them instead of failing on duplicate names.
          defaultMetrics: {
            enabled: register.getSingleMetric('process_cpu_user_seconds_total') === undefined,
          },
        }),
      ],
      providers: [
        { provide: METRICS_REGISTRY, useValue: register },
        CacheMetrics,
        HttpMetrics,
        ReadinessMetrics,
      ],
      exports: [METRICS_REGISTRY, CacheMetrics, HttpMetrics, ReadinessMetrics],
    };
  }
}
