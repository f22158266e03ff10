import { Injectable } from '@nestjs/common';
import { CacheInvalidationService } from './cache-invalidation.service';
import { CacheStatsService } from './cache-stats.service';
import {
  CacheStatsDto,
  DeletedKeyDto,
  InvalidateCacheDto,
  InvalidationResultDto,
} from './dto/cache-admin.dto';

/** The use cases behind the cache administration endpoints. */
@Injectable()
export class CacheAdminService {
  constructor(
    private readonly invalidation: CacheInvalidationService,
    private readonly statistics: CacheStatsService,
  ) {}

  stats(): Promise<CacheStatsDto> {
    return this.statistics.stats();
  }

  /** Applies the one target of a validated body (see `ExactlyOneTargetPipe`). */
  async invalidate(body: InvalidateCacheDto): Promise<InvalidationResultDto> {
    const i = this.invalidation;
    if (body.club !== undefined)
      return { target: 'club', id: body.club, deleted: await i.invalidateClubCache(body.club) };
    if (body.season !== undefined)
      return { target: 'season', id: body.season, deleted: await i.invalidateSeasonCache(body.season) };
    if (body.kit !== undefined)
      return { target: 'kit', id: body.kit, deleted: await i.invalidateKitCache(body.kit) };
    if (body.brand !== undefined)
      return { target: 'brand', id: body.brand, deleted: await i.invalidateBrandCache(body.brand) };
    if (body.competition !== undefined) {
      return {
        target: 'competition',
        id: body.competition,
        deleted: await i.invalidateCompetitionCache(body.competition),
      };
    }
    if (body.user_collection !== undefined) {
      return {
        target: 'user_collection',
        id: body.user_collection,
        deleted: await i.invalidateUserCollectionCache(body.user_collection),
      };
    }
    if (body.search) return { target: 'search', deleted: await i.invalidateSearchCache() };
    if (body.key !== undefined)
      return { target: 'key', key: body.key, deleted: (await i.deleteKey(body.key)) ? 1 : 0 };
    return { target: 'all', deleted: await i.clearNamespace() };
  }

  async deleteKey(key: string): Promise<DeletedKeyDto> {
    return { key, deleted: await this.invalidation.deleteKey(key) };
  }
}
