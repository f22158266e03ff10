import { Controller, Get, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { HealthService } from './health.service';

class HealthDto {
  @ApiProperty({ enum: ['healthy', 'unhealthy'] }) status!: 'healthy' | 'unhealthy';
  @ApiProperty({ example: '2026-02-04T10:15:30.123456' }) timestamp!: string;
  @ApiProperty({ enum: ['connected', 'disconnected'] }) database!: 'connected' | 'disconnected';
  @ApiProperty({ enum: ['connected', 'disconnected'], required: false }) cache?: 'connected' | 'disconnected';
  @ApiProperty({ required: false }) error?: string;
}

/** The reference's naive ISO timestamp: UTC, microseconds, no zone suffix. */
function referenceTimestamp(now = new Date()): string {
  return now.toISOString().replace('Z', '000');
}

@ApiTags('health')
@Public()
// Probes are never limited: a liveness check answered 429 would get a healthy process killed.
@SkipThrottle()
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly terminus: HealthCheckService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Liveness, as the original reports it',
    description:
      'Probes PostgreSQL (503 when it does not answer) and reports whether the cache store answers.',
  })
  @ApiOkResponse({ type: HealthDto, description: "Liveness, in the reference's shape" })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'PostgreSQL does not answer' })
  async liveness(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const problem = await this.health.databaseProblem();
    const timestamp = referenceTimestamp();
    if (problem !== null) {
      void reply.status(503);
      return { status: 'unhealthy', timestamp, database: 'disconnected', error: 'database unreachable' };
    }
    const cache = (await this.health.cacheConnected()) ? 'connected' : 'disconnected';
    return { status: 'healthy', timestamp, database: 'connected', cache };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness for a load balancer',
    description:
      'Terminus report: 503 only when PostgreSQL is down; Redis down only degrades and is reported.',
  })
  @HealthCheck()
  @ApiOkResponse({ description: 'PostgreSQL and the cache store are reachable' })
  @ApiServiceUnavailableResponse({ description: 'PostgreSQL is down (Redis being down only degrades)' })
  async readiness(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    // The cache is reported next to the database but outside terminus's verdict: Redis down
    // only degrades (reads fall through to PostgreSQL), so it never makes readiness 503.
    const cache = await this.health.cacheStatus();
    const withCache = <T extends { info?: object; details?: object }>(report: T): T => ({
      ...report,
      info: { ...report.info, ...(cache.status === 'up' ? { cache } : {}) },
      details: { ...report.details, cache },
    });
    try {
      return withCache(await this.terminus.check([() => this.health.databaseIndicator()]));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Terminus' own report, plus the fields of our common error body.
      void reply.status(503);
      return {
        ...withCache(error.getResponse() as { info?: object; details?: object }),
        detail: 'Not ready: a required dependency is down',
        code: 'not_ready',
        request_id: request.id,
      };
    }
  }
}
