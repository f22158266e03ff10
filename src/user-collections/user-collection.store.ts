import { Inject, Injectable } from '@nestjs/common';
import { CacheInvalidationService } from '../cache/cache-invalidation.service';
import { entryKey } from '../cache/cache-key';
import { CACHE_STORE, CacheStore } from '../cache/cache-store';
import { Tag } from '../cache/cache-tags';
import { UserCollectionStoreUnavailableError } from './user-collections.errors';
import { isUserCollection, UserCollection } from './user-collection.types';

/** The seed's cache key, `user_collection_{userid}`, versioned (Redis key `fkapi:v1:user_collection_{userid}`). */
export const userCollectionCacheKey = (userid: number): string => entryKey('user_collection', [userid]);

export interface StoredUserCollection {
  collection: UserCollection;
  /** When the entry expires; `null` when that cannot be told. */
  expiresAt: Date | null;
}

/**
 * Fetched collections in the cache (Redis, or memory without `REDIS_URL`), tagged
 * `user_collection:<userid>` with cache_type `user_collection`, so the seed's
 * `invalidateUserCollectionCache`, the namespace clear and the entries gauge all see them.
 */
@Injectable()
export class UserCollectionStore {
  constructor(
    @Inject(CACHE_STORE) private readonly cache: CacheStore,
    private readonly invalidation: CacheInvalidationService,
  ) {}

  /** The stored collection; `null` when there is none or the cache cannot be read now. */
  async get(userid: number): Promise<StoredUserCollection | null> {
    const key = userCollectionCacheKey(userid);
    const [raw, expiresAt] = await Promise.all([this.cache.get(key), this.cache.expiresAt(key)]);
    if (raw === null) return null;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
    return isUserCollection(value) ? { collection: value, expiresAt } : null;
  }

  /**
   * Read before a fetch starts and handed to {@link set}: a collection invalidated meanwhile is
   * not stored. `null` when the cache cannot be written now.
   */
  writeToken(userid: number): Promise<number | null> {
    return this.cache.readSequence(userCollectionCacheKey(userid));
  }

  /** False when refused (invalidated since `writeToken`, or the cache is unavailable). */
  async set(
    userid: number,
    collection: UserCollection,
    ttlSeconds: number,
    writeToken: number,
  ): Promise<boolean> {
    return this.cache.setWithTags(
      {
        key: userCollectionCacheKey(userid),
        value: JSON.stringify(collection),
        ttlSeconds,
        cacheType: 'user_collection',
        tags: [Tag.userCollection(userid)],
      },
      writeToken,
    );
  }

  /**
   * The seed's `invalidateUserCollectionCache(userid)`: the entry goes, and a fetch running now
   * will not store what it fetched.
   */
  async invalidate(userid: number): Promise<void> {
    await this.unavailableOnError(() => this.invalidation.invalidateUserCollectionCache(userid));
  }

  /** Drops the entry only (`force=true`): a fetch running now still stores its fresh result. */
  async drop(userid: number): Promise<void> {
    await this.unavailableOnError(() => this.invalidation.deleteKey(userCollectionCacheKey(userid)));
  }

  private async unavailableOnError(operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      throw new UserCollectionStoreUnavailableError(error);
    }
  }
}
