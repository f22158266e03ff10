// The optional L1 (`CACHE_L1_ENABLED`) as a wrapper around the Redis store: memory first, Redis
// behind it. The rules the L1 keeps are in `l1-cache.ts` and `tag-index-rules.ts` (rule 4).
import { CacheEntry, CacheStore, InvalidationResult, RecoveryTask, StoredResponse } from './cache-store';
import { CircuitBreaker } from './circuit-breaker';
import { L1Cache, L1Options } from './l1-cache';
import { RedisCacheStore } from './redis-cache.store';

export type L1StoreOptions = Omit<L1Options, 'barrierTimeoutMs' | 'channel'>;

/**
 * A {@link RedisCacheStore} with the in-process L1 in front (docs/DESIGN.md §4, "Optional L1").
 * Reads answer from memory when the L1 holds the key and the store is serving; otherwise one
 * atomic read of the entry, the sequence and its TTL, and the value kept when `L1Cache.fill`
 * finds it safe. Writes go to Redis, then adjust memory; an invalidation waits until this
 * instance has seen its own message. The L1's subscription is attached to the store's
 * connection, started when it opens and closed before it closes.
 */
export class L1CachedStore implements CacheStore {
  readonly kind = 'redis';
  readonly l1: L1Cache;

  constructor(
    readonly store: RedisCacheStore,
    options: L1StoreOptions,
  ) {
    // One invalidation sequence to follow: a cluster has one per shard group (the configuration
    // refuses CACHE_L1_ENABLED with REDIS_CLUSTER_NODES).
    if (store.indexes.length !== 1)
      throw new Error('The in-process cache (L1) does not run on a Redis Cluster');
    this.l1 = new L1Cache(store.connection.client, store.namespace, {
      ...options,
      channel: store.indexes[0].events,
      barrierTimeoutMs: store.options.commandTimeoutMs,
    });
    // Reads stopped (an outage, a failed invalidation): memory may hold what Redis must drop.
    store.availability.onReadsStopped(() => this.l1.clear());
    store.connection.attach({
      // Subscribes in the background; serves nothing from memory until subscribed.
      started: () => void this.l1.start(),
      stopping: () => this.l1.close(),
    });
  }

  /** Whether reads are served now (false while Redis is down or recovering). */
  get serving(): boolean {
    return this.store.serving;
  }

  get circuitState(): CircuitBreaker['state'] {
    return this.store.circuitState;
  }

  addRecoveryTask(task: RecoveryTask): void {
    this.store.addRecoveryTask(task);
  }

  get(key: string): Promise<string | null> {
    // Not serving: the store answers null and counts the read.
    if (!this.store.serving) return this.store.get(key);
    return this.readThrough(key).then((response) => response?.body.toString() ?? null);
  }

  peekResponse(key: string): StoredResponse | undefined {
    return this.store.serving ? this.l1.get(key) : undefined;
  }

  // Not async: on the hit path every awaited layer is a promise and a microtask more per request.
  getResponse(key: string): Promise<StoredResponse | null> {
    if (!this.store.serving) return Promise.resolve(null);
    return this.readThrough(key);
  }

  lookup(key: string): Promise<{ value: string | null; sequence: number | null }> {
    const remembered = this.store.serving ? this.l1.get(key) : undefined;
    if (remembered) return Promise.resolve({ value: remembered.body.toString(), sequence: null });
    return this.store.lookup(key);
  }

  /** Memory first, else one atomic read from Redis, kept in memory when that is safe. */
  private async readThrough(key: string): Promise<StoredResponse | null> {
    const remembered = this.l1.get(key);
    if (remembered) return remembered;
    const ticket = this.l1.ticket();
    try {
      const { value, sequence, pttl } = await this.store.readForCopy(key);
      if (value === null) return null;
      return this.l1.fill(key, value, sequence, ticket, pttl);
    } catch {
      return null;
    }
  }

  expiresAt(key: string): Promise<Date | null> {
    return this.store.expiresAt(key);
  }

  readSequence(key: string): Promise<number | null> {
    return this.store.readSequence(key);
  }

  async setWithTags(entry: CacheEntry, sequence: number): Promise<boolean> {
    const stored = await this.store.setWithTags(entry, sequence);
    if (stored) {
      this.l1.fill(entry.key, entry.value, sequence, this.l1.ticket(), Math.round(entry.ttlSeconds * 1000));
    }
    return stored;
  }

  async invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    const result = await this.store.invalidateTags(tags);
    // A read this instance serves after the write is acknowledged must not come from memory.
    if (tags.length > 0) await this.l1.seen(result.sequence);
    return result;
  }

  async deleteKey(key: string): Promise<boolean> {
    const existed = await this.store.deleteKey(key);
    this.l1.delete(key);
    return existed;
  }

  clearNamespace(): Promise<number> {
    return this.store.clearNamespace(() => this.l1.clear());
  }

  countEntries(): Promise<Record<string, number>> {
    return this.store.countEntries();
  }

  ping(): Promise<boolean> {
    return this.store.ping();
  }
}
