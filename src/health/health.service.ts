import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

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
  ) {}

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
