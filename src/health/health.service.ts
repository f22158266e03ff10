import { Inject, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { CACHE_STORE, CacheStore } from '../cache/cache-store';
import { ReadinessMetrics } from '../metrics/readiness-metrics';
import { REDIS_CONNECTION, RedisConnection } from '../redis/redis-connection';

const PING_TIMEOUT_MS = 1000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Probes behind liveness (`/api/health`) and readiness (`/api/health/ready`). Each probe's
 * outcome is also recorded in `fkapi_dependency_up`, so the dashboard shows readiness without
 * the scrape itself querying PostgreSQL.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
    @Inject(CACHE_STORE) private readonly cache: CacheStore,
    private readonly readiness: ReadinessMetrics,
    @Optional() @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null = null,
  ) {}

  /**
   * One database probe at start, so the gauge has a value before the first health check. Redis
   * is left to the first probe: its store may still be connecting, and a failed ping now would
   * count against its circuit breaker.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.databaseProblem();
  }

  /**
   * Whether the cache store (Redis, or this process's memory without REDIS_URL) answers. Asked
   * through the store, not the connection: its ping goes through the circuit breaker, so an open
   * breaker reports Redis down without waiting for a timeout.
   */
  async cacheConnected(): Promise<boolean> {
    const up = await this.cache.ping();
    if (this.redis) this.readiness.record('redis', up);
    return up;
  }

  /**
   * The cache's readiness: reported, but never a reason for 503 — without Redis, reads are
   * served from PostgreSQL. So it is `up` or `down` in the details, outside terminus's verdict.
   */
  async cacheStatus(): Promise<{ status: 'up' | 'down'; store: 'redis' | 'memory' }> {
    return { status: (await this.cacheConnected()) ? 'up' : 'down', store: this.cache.kind };
  }

  /** Null when PostgreSQL answers, else why not. */
  async databaseProblem(): Promise<string | null> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), PING_TIMEOUT_MS);
      this.readiness.record('postgres', true);
      return null;
    } catch (error) {
      this.readiness.record('postgres', false);
      return error instanceof Error ? error.message : String(error);
    }
  }

  async databaseIndicator(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('database');
    const problem = await this.databaseProblem();
    return problem === null ? indicator.up() : indicator.down({ message: problem });
  }
}
