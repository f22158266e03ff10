import { DomainError } from '../common/errors/domain-errors';

/**
 * Where cached responses live: Redis ({@link RedisCacheStore}) or, without `REDIS_URL`, this
 * process's memory ({@link MemoryCacheStore}). Keys here are entry keys from `entryKey`
 * (`generateCacheKey` behind the schema version; the store adds the `fkapi:` namespace); values
 * are JSON strings.
 */
export interface CacheStore {
  /** `redis` or `memory`, for health and stats. */
  readonly kind: 'redis' | 'memory';

  /**
   * The stored JSON, or null on a miss. Never throws: when the store cannot be asked (down,
   * slow, circuit open, recovering) it answers null and counts the error, so the caller
   * computes the value from PostgreSQL.
   */
  get(key: string): Promise<string | null>;

  /** When the entry expires; null when there is none or the store cannot say now. Never throws. */
  expiresAt(key: string): Promise<Date | null>;

  /**
   * `get` with the entry's strong ETag (`http/http-caching.ts`), for the HTTP fast paths; an
   * in-process cache keeps both, so a hit from memory hashes nothing.
   */
  getResponse(key: string): Promise<StoredResponse | null>;

  /**
   * `getResponse` when the answer is in this process's memory (the L1), without waiting:
   * undefined when it would take a round trip. Never counts anything.
   */
  peekResponse(key: string): StoredResponse | undefined;

  /**
   * `get` and `readSequence` in one round trip (`MGET`): a miss then needs no extra call before
   * its computation. `sequence` is null when the store was not asked (unavailable, or the value
   * came from the in-process cache); a miss never comes with a null sequence unless unavailable.
   */
  lookup(key: string): Promise<{ value: string | null; sequence: number | null }>;

  /**
   * The invalidation sequence now, read before a computation starts (docs/DESIGN.md §3); null when
   * the store cannot be asked, in which case the result must not be stored.
   */
  readSequence(key: string): Promise<number | null>;

  /**
   * Stores the value with its TTL, its `cache_type` and its tags, atomically. Refused (false)
   * when one of the tags, or the whole namespace, was invalidated after `readSequence` returned
   * `sequence`: the value may predate that write. Never throws (false on failure).
   */
  setWithTags(entry: CacheEntry, sequence: number): Promise<boolean>;

  /**
   * Deletes every entry under any of the tags and records the invalidation, so that a
   * computation that started before it cannot store its result afterwards. Throws when the
   * store cannot be reached: the caller (the outbox) retries.
   */
  invalidateTags(tags: readonly string[]): Promise<InvalidationResult>;

  /** Deletes one entry. True when it existed. Throws when the store cannot be reached. */
  deleteKey(key: string): Promise<boolean>;

  /**
   * Deletes every entry of the cache (our namespace only; other data in the same Redis stays).
   * Throws when the store cannot be reached.
   */
  clearNamespace(): Promise<number>;

  /** Live entries per cache_type. Throws when the store cannot be reached. */
  countEntries(): Promise<Record<string, number>>;

  /** Whether the store answers now (health). Never throws. */
  ping(): Promise<boolean>;

  /**
   * Work that must finish before reads are served from the store again, each time it becomes
   * reachable (at start and after an outage): the outbox registers "apply every pending
   * invalidation" here, so no entry that an outage kept alive is read. Until every task has
   * resolved, `get` answers misses and `setWithTags` stores nothing; a failed task is retried.
   */
  addRecoveryTask(task: RecoveryTask): void;
}

export type RecoveryTask = () => Promise<void>;

/**
 * A cached response ready to send: the stored JSON as bytes, its strong ETag and its
 * `Content-Length` (`storedResponse()` in `http/http-caching.ts` makes one). Bytes, not a
 * string: read from Redis as a Buffer and written to the socket as one, a hit neither decodes
 * nor re-encodes the JSON (measured: a third of the CPU time of a hit from Redis).
 */
export interface StoredResponse {
  readonly body: Buffer;
  readonly etag: string;
  /** `body.length`, as the header value. */
  readonly contentLength: string;
}

export interface CacheEntry {
  key: string;
  /** The serialised response (JSON). */
  value: string;
  ttlSeconds: number;
  /** The key family for `fkapi_cache_entries{cache_type}` (`club`, `search`, …). */
  cacheType: string;
  /** Entity and family tags (`club:5`, `search`, …); see `cache-tags.ts`. */
  tags: readonly string[];
}

export interface InvalidationResult {
  /** Entries deleted. */
  deleted: number;
  /** The invalidation sequence the tags were marked with. */
  sequence: number;
}

/** Injection token of the {@link CacheStore}. */
export const CACHE_STORE = Symbol('CACHE_STORE');

/**
 * A cache operation that could not be done: Redis down, slow, or skipped by the open circuit
 * breaker. Reads never see it (they fall through to PostgreSQL); invalidations and the admin
 * endpoints do (503, so the outbox and the operator retry).
 */
export class CacheUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'cache_unavailable';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`The cache store is unavailable (${reason}); try again shortly`, options);
  }
}
