import { storedResponse } from './http/http-caching';
import { assertCacheType } from './cache-key';
import { CacheEntry, CacheStore, InvalidationResult, RecoveryTask, StoredResponse } from './cache-store';
import { MARKER_TTL_MS, mayStore } from './tag-index-rules';

interface StoredEntry {
  value: string;
  expiresAt: number;
  cacheType: string;
  tags: readonly string[];
}

export interface MemoryCacheStoreOptions {
  /** The oldest entries are dropped beyond this many (an in-process cache must stay bounded). */
  maxEntries?: number;
  now?: () => number;
}

/**
 * The cache in this process's memory, for running without `REDIS_URL` (`npm start` on a fresh
 * machine). Same contract as the Redis store — tags, TTL, invalidation sequence and markers,
 * following the rules in `tag-index-rules.ts` — but only for one process: with several
 * instances, use Redis.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, StoredEntry>();
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly markers = new Map<string, { sequence: number; expiresAt: number }>();
  private sequence = 0;
  private cleared = 0;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return Promise.resolve(null);
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return Promise.resolve(null);
    }
    return Promise.resolve(entry.value);
  }

  peekResponse(): undefined {
    // Kept simple: the memory store is for one process without Redis, not for speed.
    return undefined;
  }

  async getResponse(key: string): Promise<StoredResponse | null> {
    const json = await this.get(key);
    return json === null ? null : storedResponse(json);
  }

  async lookup(key: string): Promise<{ value: string | null; sequence: number | null }> {
    return { value: await this.get(key), sequence: this.sequence };
  }

  expiresAt(key: string): Promise<Date | null> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry && entry.expiresAt > this.now() ? new Date(entry.expiresAt) : null);
  }

  readSequence(_key: string): Promise<number | null> {
    return Promise.resolve(this.sequence);
  }

  setWithTags(entry: CacheEntry, sequence: number): Promise<boolean> {
    assertCacheType(entry.cacheType);
    if (!(entry.ttlSeconds > 0)) return Promise.resolve(false);
    const now = this.now();
    const markers = entry.tags.map((tag) => {
      const marker = this.markers.get(tag);
      return marker && marker.expiresAt > now ? marker.sequence : undefined;
    });
    if (!mayStore(sequence, this.cleared, markers)) return Promise.resolve(false);
    this.remove(entry.key);
    const tags = [...new Set(entry.tags)];
    this.entries.set(entry.key, {
      value: entry.value,
      expiresAt: now + entry.ttlSeconds * 1000,
      cacheType: entry.cacheType,
      tags,
    });
    for (const tag of tags) {
      let keys = this.tagIndex.get(tag);
      if (!keys) this.tagIndex.set(tag, (keys = new Set()));
      keys.add(entry.key);
    }
    while (this.entries.size > this.maxEntries) this.remove(this.entries.keys().next().value as string);
    return Promise.resolve(true);
  }

  invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return Promise.resolve({ deleted: 0, sequence: 0 });
    const sequence = ++this.sequence;
    const expiresAt = this.now() + MARKER_TTL_MS;
    let deleted = 0;
    for (const tag of unique) {
      this.markers.set(tag, { sequence, expiresAt });
      for (const key of [...(this.tagIndex.get(tag) ?? [])]) if (this.remove(key)) deleted += 1;
    }
    this.pruneMarkers();
    return Promise.resolve({ deleted, sequence });
  }

  deleteKey(key: string): Promise<boolean> {
    return Promise.resolve(this.remove(key));
  }

  clearNamespace(): Promise<number> {
    this.cleared = ++this.sequence;
    const count = this.entries.size;
    this.entries.clear();
    this.tagIndex.clear();
    return Promise.resolve(count);
  }

  countEntries(): Promise<Record<string, number>> {
    const now = this.now();
    const counts: Record<string, number> = {};
    for (const entry of this.entries.values()) {
      if (entry.expiresAt > now) counts[entry.cacheType] = (counts[entry.cacheType] ?? 0) + 1;
    }
    return Promise.resolve(counts);
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Memory is never unreachable: there is nothing to recover, so the task is not needed. */
  addRecoveryTask(_task: RecoveryTask): void {}

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.tagIndex.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.tagIndex.delete(tag);
    }
    return entry.expiresAt > this.now();
  }

  private pruneMarkers(): void {
    if (this.markers.size < 10_000) return;
    const now = this.now();
    for (const [tag, marker] of this.markers) if (marker.expiresAt <= now) this.markers.delete(tag);
  }
}
