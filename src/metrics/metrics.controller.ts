import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { FastifyReply } from 'fastify';
import { CacheStatsService } from '../cache/cache-stats.service';
import { Public } from '../common/auth/auth.decorators';

/**
 * `GET /metrics` in the Prometheus text format: open (no API key) and not rate limited, so a
 * scraper never gets a 401 or 429. Before answering it refreshes `fkapi_cache_entries` from the
 * store's per-type indexes (one small Lua call, never a keyspace scan).
 */
@ApiTags('metrics')
@Public()
@SkipThrottle()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly cacheStats: CacheStatsService) {
    super();
  }

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (cache hits, misses, entries, invalidations, errors; HTTP; Node)',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  override async index(@Res({ passthrough: true }) response: FastifyReply): Promise<string> {
    await this.cacheStats.refreshEntries();
    return super.index(response);
  }
}
