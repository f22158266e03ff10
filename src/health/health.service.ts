import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { CACHE_STORE, CacheStore } from '../cache/cache-store';

const PING_TIMEOUT_MS = 1000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Probes behind liveness (`/api/health`) and readiness (`/api/health/ready`). */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
    @Inject(CACHE_STORE) private readonly cache: CacheStore,
  ) {}

  /** Whether the cache store (Redis, or this process's memory without REDIS_URL) answers. */
  cacheConnected(): Promise<boolean> {
    return this.cache.ping();
  }

  /**
   * The cache's readiness: reported, but never a reason for 503 — without Redis, reads are
   * served from PostgreSQL. So it is `up` or `down` in the details, outside terminus's verdict.
   */
  async cacheStatus(): Promise<{ status: 'up' | 'down'; store: 'redis' | 'memory' }> {
    return { status: (await this.cache.ping()) ? 'up' : 'down', store: this.cache.kind };
  }

  /** Null when PostgreSQL answers, else why not. */
  async databaseProblem(): Promise<string | null> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), PING_TIMEOUT_MS);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  async databaseIndicator(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('database');
    const problem = await this.databaseProblem();
    return problem === null ? indicator.up() : indicator.down({ message: problem });
  }
}
