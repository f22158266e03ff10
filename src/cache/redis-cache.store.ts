// The cache store in Redis: the reads, and the parts it is made of (availability, tag index, read
// batching). The optional in-process L1 is a separate wrapper (`l1-cached.store.ts`).
// Just over 300 lines: each `CacheStore` method is a few lines over those parts, and the
// cluster's spreading of one invalidation over every shard group belongs with them.
import { LRUCache } from 'lru-cache';
import { RESP_TYPES } from 'redis';
import { CacheMetrics } from '../metrics/cache-metrics';
import { RedisConnection } from '../redis/redis-connection';
import { assertCacheType, NAMESPACE } from './cache-key';
import { CacheEntry, CacheStore, InvalidationResult, RecoveryTask, StoredResponse } from './cache-store';
import { CircuitBreaker } from './circuit-breaker';
import { storedResponse } from './http/http-caching';
import { ReadBatcher } from './read-batcher';
import { RedisAvailability, RedisAvailabilityOptions } from './redis-availability';
import { SCRIPTS } from './redis-scripts';
import { RedisTagIndex, RedisTagIndexOptions } from './redis-tag-index';
import { mGetBySlot, shardGroupNamespaces, shardGroupOf } from './shard-groups';

export interface RedisCacheStoreOptions
  extends RedisAvailabilityOptions, Partial<Omit<RedisTagIndexOptions, 'database'>> {}

/** node-redis type mapping: bulk strings as Buffers, not decoded to strings. */
const BUFFER_STRINGS = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;
type BufferStrings = typeof BUFFER_STRINGS;

/**
 * The cache in Redis (docs/DESIGN.md §3–§4): entries are plain strings read with one `GET` (or a
 * shared `MGET`), written and invalidated through the tag index (`redis-tag-index.ts`). What an
 * outage means (timeouts, breaker, reads held until recovered) is `redis-availability.ts`; the
 * connection itself belongs to `RedisConnection` (`RedisModule`), which starts and stops it.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  readonly namespace: string;
  readonly availability: RedisAvailability;
  /**
   * The tag index: one for a single Redis (namespace `fkapi:`), one per shard group on a cluster
   * (`fkapi:{n}:`, `shard-groups.ts`). An entry, and everything its reads and writes check,
   * belongs to the index of its key (`indexOf`).
   */
  readonly indexes: readonly RedisTagIndex[];
  /**
   * Plain reads (`get`, `getResponse`) of one event-loop turn, sent as one `MGET` whose values
   * come back as Buffers (see `StoredResponse`).
   */
  private readonly reads: ReadBatcher<Buffer>;
  /** ETags of the hottest entries (`getResponse`), about 1.5 KB each. */
  private readonly etags = new LRUCache<string, StoredResponse>({ max: 1000 });

  constructor(
    readonly connection: RedisConnection,
    private readonly metrics: CacheMetrics,
    readonly options: RedisCacheStoreOptions,
  ) {
    this.namespace = options.namespace ?? NAMESPACE;
    this.availability = new RedisAvailability(connection, metrics, options);
    const namespaces = connection.isCluster ? shardGroupNamespaces(this.namespace) : [this.namespace];
    this.indexes = namespaces.map(
      (namespace) =>
        new RedisTagIndex(this.availability, metrics, {
          namespace,
          database: connection.database,
          publishEvents: !connection.isCluster,
          membersPerCall: options.membersPerCall,
          clearBatchSize: options.clearBatchSize,
          // Half the command timeout: the WAIT holds the shared connection (reads queue behind it).
          replicaAcks: connection.waitsForReplica
            ? { timeoutMs: Math.max(1, Math.floor(options.commandTimeoutMs / 2)) }
            : undefined,
        }),
    );
    // Under Sentinel or on a cluster with replicas every recovery may follow a failover: before
    // the outbox drain (registered later, so run after this) and before reads resume, no sequence
    // the dead master handed out may stay above the promoted replica's (`ADVANCE_SEQUENCE` in
    // redis-scripts.ts), in any group.
    if (connection.waitsForReplica)
      this.availability.addRecoveryTask(async () => {
        for (const index of this.indexes) await index.advanceSequenceToClock();
      });
    // Both options in one object: `withTypeMapping` on the timeout-less client would inherit
    // `timeout: 0` through a prototype, which node-redis's option spreading drops (an
    // AbortSignal per MGET).
    const bytes = connection.client.withCommandOptions<
      { timeout: number; typeMapping: BufferStrings },
      BufferStrings
    >({ timeout: 0, typeMapping: BUFFER_STRINGS });
    // Errors counted per read by the batcher, not per command by `call`.
    const mGet = connection.isCluster
      ? (keys: string[]) => mGetBySlot(keys, (some) => bytes.mGet(some))
      : (keys: string[]) => bytes.mGet(keys);
    this.reads = new ReadBatcher(
      (keys) => this.availability.call('get', () => mGet(keys), 0),
      (reads) => this.metrics.error('get', reads),
    );
  }

  /** The index an entry key (without namespace) belongs to. */
  indexOf(key: string): RedisTagIndex {
    const indexes = this.indexes;
    return indexes.length === 1 ? indexes[0] : indexes[shardGroupOf(key, indexes.length)];
  }

  /** The Redis key of an entry key: the namespace of its index in front. */
  redisKeyOf(key: string): string {
    return this.indexOf(key).keys.namespace + key;
  }

  /** Whether reads are served from Redis now (false while down or recovering). */
  get serving(): boolean {
    return this.availability.serving;
  }

  get circuitState(): CircuitBreaker['state'] {
    return this.availability.circuitState;
  }

  addRecoveryTask(task: RecoveryTask): void {
    this.availability.addRecoveryTask(task);
  }

  get(key: string): Promise<string | null> {
    if (!this.availability.serving) {
      // Down or not yet recovered: this read goes to PostgreSQL, which the errors counter shows.
      this.metrics.error('get');
      return Promise.resolve(null);
    }
    return this.readValue(key, (body) => body.toString());
  }

  /** Nothing is in this process's memory without the L1 (`l1-cached.store.ts`). */
  peekResponse(_key: string): StoredResponse | undefined {
    return undefined;
  }

  // Not async, like `readValue`: on the hit path every awaited layer is a promise and a
  // microtask more per request.
  getResponse(key: string): Promise<StoredResponse | null> {
    // Not counted as an error here: the request then goes through the pipeline, whose read
    // counts it once.
    if (!this.availability.serving) return Promise.resolve(null);
    return this.readValue(key, (body) => this.responseOf(key, body));
  }

  /**
   * The response last seen under this key, when the bytes are the same (a comparison instead
   * of hashing them again on every hit). Kept as a copy: `body` is a view of the socket's read
   * buffer, which must not be held on to.
   */
  private responseOf(key: string, body: Buffer): StoredResponse {
    const known = this.etags.get(key);
    if (known !== undefined && known.body.equals(body)) return known;
    const response = storedResponse(Buffer.from(body));
    this.etags.set(key, response);
    return response;
  }

  /**
   * One entry through the read batch, given to `found`; null on a miss or a failure (counted by
   * the batch, once per read), and when reads were stopped while it was on its way: Redis
   * answered, but maybe before an outage's pending invalidations were applied.
   */
  private readValue<T>(key: string, found: (body: Buffer) => T): Promise<T | null> {
    const availability = this.availability;
    const outages = availability.outages;
    return this.reads.get(this.redisKeyOf(key)).then(
      (body) =>
        body !== null && availability.serving && outages === availability.outages ? found(body) : null,
      () => null,
    );
  }

  async lookup(key: string): Promise<{ value: string | null; sequence: number | null }> {
    if (!this.availability.serving) {
      this.metrics.error('get');
      return { value: null, sequence: null };
    }
    try {
      const index = this.indexOf(key);
      const [value, sequence] = await this.availability.call('get', () =>
        this.availability.commands.mGet([index.keys.namespace + key, index.keys.sequence]),
      );
      return { value, sequence: sequence === null ? 0 : Number(sequence) };
    } catch {
      return { value: null, sequence: null };
    }
  }

  /**
   * The entry, the invalidation sequence and the entry's remaining TTL, read atomically: what an
   * in-process cache needs to decide whether it may keep the value, and for how long. Throws
   * when Redis fails (counted).
   */
  async readForCopy(key: string): Promise<{ value: string | null; sequence: number; pttl: number }> {
    const index = this.indexOf(key);
    const [value, sequence, pttl] = (await this.availability.call('get', () =>
      this.availability.run(SCRIPTS.readForL1, [index.keys.namespace + key, index.keys.sequence], []),
    )) as [string | null, string | null, number];
    return { value, sequence: sequence === null ? 0 : Number(sequence), pttl: Number(pttl) };
  }

  async expiresAt(key: string): Promise<Date | null> {
    if (!this.availability.serving) return null;
    try {
      const redisKey = this.redisKeyOf(key);
      const ttlMs = await this.availability.call('get', () => this.availability.commands.pTTL(redisKey));
      return ttlMs > 0 ? new Date(Date.now() + ttlMs) : null;
    } catch {
      return null;
    }
  }

  async readSequence(key: string): Promise<number | null> {
    if (!this.availability.serving) return null;
    try {
      const sequence = this.indexOf(key).keys.sequence;
      const value = await this.availability.call('sequence', () => this.availability.commands.get(sequence));
      return value === null ? 0 : Number(value);
    } catch {
      return null;
    }
  }

  async setWithTags(entry: CacheEntry, sequence: number): Promise<boolean> {
    const ttlMs = Math.round(entry.ttlSeconds * 1000);
    if (!this.availability.serving || !(ttlMs >= 1)) return false;
    assertCacheType(entry.cacheType);
    try {
      return await this.indexOf(entry.key).setWithTags(entry, sequence, ttlMs);
    } catch {
      return false;
    }
  }

  /**
   * On a cluster, every shard group: the entries under the tags may be in any of them, and a
   * computation running in any of them must find the tags marked (rule 3). The groups' scripts are
   * sent together; the client sends each to its master. `sequence` is the highest of the groups'.
   */
  async invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    const started = process.hrtime.bigint();
    const indexes = this.indexes;
    let results: InvalidationResult[];
    if (indexes.length === 1) results = [await indexes[0].invalidateTags(tags)];
    else {
      // Every group's script first, then every group's WAIT, in the same tick: on each master's
      // connection the WAITs come after all its groups' scripts, so it answers them with one
      // round of replica acknowledgements. (A WAIT right behind each script would block the
      // connection, and the next group's script with it, once per group.) Only for a script
      // Redis knows: the EVAL after a NOSCRIPT would run behind the WAITs.
      const acks: (Promise<number> | undefined)[] = [];
      const running = indexes.map((index, i) => index.invalidateTags(tags, { sentAck: () => acks[i] }));
      if (this.availability.knowsScript(SCRIPTS.invalidateTags))
        for (const index of indexes) acks.push(index.askReplicaAck());
      results = await Promise.all(running);
    }
    let deleted = 0;
    let sequence = 0;
    for (const result of results) {
      deleted += result.deleted;
      sequence = Math.max(sequence, result.sequence);
    }
    if (tags.length > 0) this.metrics.invalidated(deleted, secondsSince(started));
    return { deleted, sequence };
  }

  async deleteKey(key: string): Promise<boolean> {
    const started = process.hrtime.bigint();
    const existed = await this.indexOf(key).deleteKey(key);
    this.metrics.invalidated(existed ? 1 : 0, secondsSince(started));
    return existed;
  }

  /**
   * Marks everything invalidated in every group (no running computation may store afterwards),
   * tells `marked` (an in-process copy drops everything), then unlinks every entry in batches.
   */
  async clearNamespace(marked: () => void = () => undefined): Promise<number> {
    const started = process.hrtime.bigint();
    await Promise.all(this.indexes.map((index) => index.markAllInvalidated()));
    marked();
    let deleted = 0;
    for (const index of this.indexes) deleted += await index.unlinkAll();
    this.metrics.invalidated(deleted, secondsSince(started));
    return deleted;
  }

  async countEntries(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const perGroup of await Promise.all(this.indexes.map((index) => index.countEntries())))
      for (const [cacheType, count] of Object.entries(perGroup))
        counts[cacheType] = (counts[cacheType] ?? 0) + count;
    return counts;
  }

  async ping(): Promise<boolean> {
    try {
      await this.availability.call('ping', () => this.connection.ping());
      return true;
    } catch {
      return false;
    }
  }
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
