import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENTRY_VERSION, entryKey, isVersionedKey, NAMESPACE } from './cache-key';
import { CACHE_STORE, CacheStore } from './cache-store';
import { Family, Tag } from './cache-tags';
import { internalKeyReason } from './tag-index-rules';

/** A key of the cache's own index was given where an entry's was expected. */
export class InternalKeyError extends Error {}

/**
 * Removes cache entries: by tag (what the after-commit subscriber and the outbox call), with the
 * seed's named invalidators (same names and meaning as `core/cache_utils.py`, but exact: every
 * entry that contains the entity goes, whatever its key, and nothing else), by key, or all of
 * ours. Each call is one Lua script per batch of tags, in time proportional to the entries it
 * deletes (docs/DESIGN.md §3). Every method throws when the store cannot be reached, so a caller that
 * must not lose an invalidation (the outbox) retries it.
 */
@Injectable()
export class CacheInvalidationService {
  private readonly logger = new Logger('CacheInvalidation');

  constructor(@Inject(CACHE_STORE) private readonly store: CacheStore) {}

  /**
   * Deletes every entry under any of the tags and marks the tags, so that a read that started
   * before this call cannot store what it read afterwards. Returns the number of entries deleted.
   */
  async invalidateTags(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    const { deleted } = await this.store.invalidateTags(tags);
    this.logger.debug(`Invalidated ${tags.join(', ')}: ${deleted} entries`);
    return deleted;
  }

  /** Every entry containing the club (its detail, its kits and seasons, searches listing it, …). */
  invalidateClubCache(clubId: number): Promise<number> {
    return this.invalidateTags([Tag.club(clubId), Tag.clubKits(clubId)]);
  }

  invalidateSeasonCache(seasonId: number): Promise<number> {
    return this.invalidateTags([Tag.season(seasonId), Tag.seasonKits(seasonId)]);
  }

  /**
   * Every entry containing the kit. Given the kit's club and season (`keys`), also what the
   * seed cascades to — the club's and the season's entries — and the kit lists and searches a
   * changed kit can enter or leave (what a kit's write drops: `kits/kit.invalidation.ts`).
   */
  invalidateKitCache(kitId: number, keys?: { teamId: number; seasonId: number }): Promise<number> {
    // Without its club and season, every paginated kit list goes (they carry no tag per kit).
    if (!keys) return this.invalidateTags([Tag.kit(kitId), Family.kitPages]);
    const families = [Family.kitsList, Family.kitsBulk, Family.searchKits];
    return this.invalidateTags([
      ...families,
      Tag.kit(kitId),
      Tag.clubKits(keys.teamId),
      Tag.seasonKits(keys.seasonId),
    ]);
  }

  invalidateBrandCache(brandId: number): Promise<number> {
    return this.invalidateTags([Tag.brand(brandId)]);
  }

  invalidateCompetitionCache(competitionId: number): Promise<number> {
    return this.invalidateTags([Tag.competition(competitionId)]);
  }

  /** Every search result (clubs, seasons, brands, competitions, kits). */
  invalidateSearchCache(): Promise<number> {
    return this.invalidateTags([Family.search]);
  }

  /** The user's collection: the entries tagged with it and the seed's `user_collection_{userid}` key. */
  async invalidateUserCollectionCache(userid: number): Promise<number> {
    const tagged = await this.invalidateTags([Tag.userCollection(userid)]);
    const direct = await this.store.deleteKey(entryKey('user_collection', [userid]));
    return tagged + (direct ? 1 : 0);
  }

  /**
   * One entry, by its key as an operator writes it: the seed's `club_5` (the current schema
   * version's entry), or versioned, `v1:club_5`; a leading `fkapi:` is accepted. The cache's
   * own keys (`tag:…`, `inv:…`) are refused, whoever asks (HTTP, CLI): deleting one would
   * corrupt the index. True when the entry existed.
   */
  deleteKey(key: string): Promise<boolean> {
    const internal = internalKeyReason(key);
    if (internal) return Promise.reject(new InternalKeyError(internal));
    const bare = key.startsWith(NAMESPACE) ? key.slice(NAMESPACE.length) : key;
    return this.store.deleteKey(isVersionedKey(bare) ? bare : ENTRY_VERSION + bare);
  }

  /**
   * Every entry of ours, in batches, found through our own indexes: never FLUSHDB, never a scan;
   * other data in the same Redis database stays. Returns the number of entries deleted.
   */
  async clearNamespace(): Promise<number> {
    const deleted = await this.store.clearNamespace();
    this.logger.log(`Cleared the cache: ${deleted} entries`);
    return deleted;
  }
}
