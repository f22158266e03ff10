import { Inject, Injectable, Optional } from '@nestjs/common';
import { Gauge, Registry, register } from 'prom-client';
import { METRICS_REGISTRY } from './cache-metrics';
import { gauge } from './registered-metrics';

const NAME = 'fkapi_dependency_up';

export type Dependency = 'postgres' | 'redis';

/**
 * `fkapi_dependency_up{dependency}`: 1 when PostgreSQL / Redis answered the last health probe,
 * 0 when not. Set by the health probes (`/api/health`, `/api/health/ready`, and once at start)
 * rather than at scrape time, so a scrape never costs a database round trip. Without
 * `REDIS_URL` there is no `redis` series: the in-process cache has nothing to be down.
 */
@Injectable()
export class ReadinessMetrics {
  readonly up: Gauge<'dependency'>;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry: Registry = register) {
    this.up = gauge(registry, {
      name: NAME,
      help: 'Whether a dependency answered the last health probe (1) or not (0)',
      labelNames: ['dependency'],
    });
  }

  record(dependency: Dependency, up: boolean): void {
    this.up.set({ dependency }, up ? 1 : 0);
  }
}
