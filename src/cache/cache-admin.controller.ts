import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CacheAdminService } from './cache-admin.service';
import {
  CacheStatsDto,
  DeletedKeyDto,
  ExactlyOneTargetPipe,
  InvalidateCacheDto,
  InvalidationResultDto,
  ParseCacheKeyPipe,
} from './dto/cache-admin.dto';

/** Manual cache administration (the seed's `invalidate_*_cache()`, `cache.delete`, `cache.clear`), admin key only. */
@ApiTags('cache')
@AdminOnly()
@Controller('api/cache')
export class CacheAdminController {
  constructor(private readonly admin: CacheAdminService) {}

  @Get('stats')
  @ApiOperation({ summary: "Entries per cache_type and this instance's hits, misses and hit ratio" })
  @ApiOkResponse({ type: CacheStatsDto })
  @ApiErrors(401)
  stats(): Promise<CacheStatsDto> {
    return this.admin.stats();
  }

  @Post('invalidate')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Invalidate one target: an entity (every entry containing it), all searches, a user collection, one key, or everything',
    description:
      'Body names exactly one target, e.g. `{"club": 5}`, `{"search": true}`, `{"key": "club_5"}`, `{"all": true}`. ' +
      '`all` deletes every `fkapi:` entry in batches; other data in the same Redis is left alone.',
  })
  @ApiOkResponse({ type: InvalidationResultDto })
  @ApiErrors(401, 413, 422)
  invalidate(@Body(ExactlyOneTargetPipe) body: InvalidateCacheDto): Promise<InvalidationResultDto> {
    return this.admin.invalidate(body);
  }

  @Delete('keys/:key')
  @ApiOperation({
    summary: 'Delete one entry by its cache key (e.g. `club_5`; the `fkapi:` prefix is optional)',
  })
  @ApiParam({
    name: 'key',
    description: 'The cache key, percent-encoded in the URL (a `%` in the key is sent as `%25`)',
    example: 'club_5',
  })
  @ApiOkResponse({ type: DeletedKeyDto })
  @ApiErrors(401, 422)
  deleteKey(@Param('key', ParseCacheKeyPipe) key: string): Promise<DeletedKeyDto> {
    return this.admin.deleteKey(key);
  }
}
