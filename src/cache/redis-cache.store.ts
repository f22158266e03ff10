import { Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RESP_TYPES } from 'redis';
import { CacheMetrics, CacheOperation } from '../metrics/cache-metrics';
import { assertCacheType, NAMESPACE } from './cache-key';
import {
  CacheEntry,
  CacheStore,
  CacheUnavailableError,
  InvalidationResult,
  RecoveryTask,
  StoredResponse,
} from './cache-store';
import { CircuitBreaker } from './circuit-breaker';
import { RedisClient } from './redis-client';
import { storedResponse } from './http/http-caching';
import { invalidationChannel, L1Cache, L1Options } from './l1-cache';
import { ReadBatcher } from './read-batcher';
import { LuaScript, SCRIPTS } from './redis-scripts';

/**
 * How long an invalidation marker is kept: longer than any request can last. A computation
 * running longer than half of it does not store its result (see `CacheService`).
 */
export const MARKER_TTL_MS = 10 * 60_000;

export interface RedisCacheStoreOptions {
  /** Every call gives up after this long (`REDIS_COMMAND_TIMEOUT_MS`). */
  commandTimeoutMs: number;
  /** Consecutive failures that open the circuit breaker. */
  failureThreshold?: number;
  /** How long the open breaker skips Redis before a probe. */
  cooldownMs?: number;
  /** Members of one tag handled per Lua call (a huge tag is deleted over several calls). */
  membersPerCall?: number;
  /** Entries popped per call by `clearNamespace`. */
  clearBatchSize?: number;
  /** Key namespace; `fkapi:` everywhere except tests that isolate themselves by prefix. */
  namespace?: string;
  /** Database index of the client (names the invalidation channel); default 0. */
  database?: number;
  /** The in-process cache in front of Redis (`CACHE_L1_*`); none when absent. */
  l1?: Omit<L1Options, 'barrierTimeoutMs' | 'channel'>;
}

/** node-redis type mapping: bulk strings as Buffers, not decoded to strings. */
const BUFFER_STRINGS = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;
type BufferStrings = typeof BUFFER_STRINGS;

class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
  }
}

/**
 * The cache in Redis (DESIGN.md §3–§4): entries are plain strings read with one `GET`, written
 * with their TTL and tag memberships by one Lua script, invalidated by tag in time proportional
 * to the entries affected. See `redis-scripts.ts` for the key layout.
 *
 * Redis trouble never fails a read: every call has a timeout, commands are not queued while
 * disconnected, and after `failureThreshold` consecutive failures a circuit breaker skips Redis
 * for `cooldownMs`. Reads then miss (the caller computes from PostgreSQL) and the failure is
 * counted in `fkapi_cache_errors_total{operation}`.
 *
 * Reads are also held back ("recovering") whenever Redis becomes reachable again — at start,
 * after a reconnect, after the breaker opened, after an invalidation failed — until every
 * recovery task (the outbox drain) has run: an entry an outage kept alive is never served.
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  private readonly logger = new Logger('RedisCache');
  private readonly breaker: CircuitBreaker;
  /**
   * The client without its per-command timeout: `call()` bounds every command itself, and
   * node-redis's timeout costs an `AbortSignal.timeout()` per command (measured: a tenth of a
   * cached hit's CPU time).
   */
  private readonly commands: RedisClient;
  private readonly ns: string;
  private readonly keys: {
    sequence: string;
    cleared: string;
    types: string;
    tags: string;
    typePrefix: string;
    events: string;
  };
  private readonly l1: L1Cache | null;
  /**
   * Plain reads (`get`, `getResponse`) of one event-loop turn, sent as one `MGET` whose values
   * come back as Buffers (see `StoredResponse`).
   */
  private readonly reads: ReadBatcher<Buffer>;
  /**
   * Counts the times reads were stopped (`holdReadsUntilRecovered`): a read whose answer
   * arrives after another outage began is dropped, whatever its timing.
   */
  private outages = 0;
  /** ETags of the hottest entries (`getResponse`), about 1.5 KB each. */
  private readonly etags = new LRUCache<string, StoredResponse>({ max: 1000 });
  private readonly timedOut: () => Error;
  private readonly tasks: RecoveryTask[] = [];
  private readsAllowed = false;
  private recovery: Promise<void> | null = null;
  private recoverAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private loggedOutage = false;
  private recoveryFailing = false;
  private firstRecovery!: Promise<void>;
  private resolveFirstRecovery!: () => void;

  constructor(
    private readonly client: RedisClient,
    private readonly metrics: CacheMetrics,
    private readonly options: RedisCacheStoreOptions,
  ) {
    this.ns = options.namespace ?? NAMESPACE;
    this.commands = client.withCommandOptions({ timeout: 0 });
    this.timedOut = () => new RedisTimeoutError(options.commandTimeoutMs);
    // Both options in one object: `withTypeMapping` on `commands` would inherit `timeout: 0`
    // through a prototype, which node-redis's option spreading drops (an AbortSignal per MGET).
    const bytes = client.withCommandOptions<{ timeout: number; typeMapping: BufferStrings }, BufferStrings>({
      timeout: 0,
      typeMapping: BUFFER_STRINGS,
    });
    // Errors counted per read by the batcher, not per command by `call`.
    this.reads = new ReadBatcher(
      (keys) => this.call('get', () => bytes.mGet(keys), 0),
      (reads) => this.metrics.error('get', reads),
    );
    this.keys = {
      sequence: `${this.ns}inv:seq`,
      cleared: `${this.ns}inv:all`,
      types: `${this.ns}types`,
      tags: `${this.ns}tags`,
      typePrefix: `${this.ns}type:`,
      events: invalidationChannel(this.ns, options.database ?? 0),
    };
    this.l1 = options.l1
      ? new L1Cache(client, this.ns, {
          ...options.l1,
          channel: this.keys.events,
          barrierTimeoutMs: options.commandTimeoutMs,
        })
      : null;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold ?? 5,
      cooldownMs: options.cooldownMs ?? 2000,
    });
    this.firstRecovery = new Promise((resolve) => (this.resolveFirstRecovery = resolve));
    client.on('ready', () => {
      if (this.loggedOutage) this.logger.log('Redis is reachable again');
      this.loggedOutage = false;
      this.startRecovery();
    });
    client.on('error', (error: unknown) => {
      this.holdReadsUntilRecovered();
      if (!this.loggedOutage) {
        this.loggedOutage = true;
        this.logger.warn(
          `Redis unavailable, serving from PostgreSQL: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  }

  /** Whether reads are served from Redis now (false while down or recovering). */
  get serving(): boolean {
    return this.readsAllowed;
  }

  get circuitState(): CircuitBreaker['state'] {
    return this.breaker.state;
  }

  /**
   * Connects in the background (retrying for ever) and waits at most `waitMs` for the first
   * recovery, so a healthy Redis serves reads from the first request while a missing one does
   * not delay the start.
   */
  async start(waitMs: number): Promise<void> {
    this.client.connect().catch((error: unknown) => {
      // Only reached when the client is closed while connecting; the 'error' listener logs outages.
      if (!this.closed) this.logger.warn(`Redis connect failed: ${String(error)}`);
    });
    // Subscribes in the background; serves nothing from memory until subscribed.
    void this.l1?.start();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.firstRecovery,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.readsAllowed = false;
    this.l1?.close();
    clearTimeout(this.retryTimer);
    if (!this.client.isOpen) return;
    if (this.client.isReady) {
      // QUIT lets in-flight commands finish, but a hanging Redis would never answer it.
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        this.client.close().then(() => true),
        new Promise<false>(
          (resolve) => (timer = setTimeout(() => resolve(false), this.options.commandTimeoutMs)),
        ),
      ]).catch(() => false);
      clearTimeout(timer);
      if (closed) return;
    }
    if (this.client.isOpen) this.client.destroy();
  }

  addRecoveryTask(task: RecoveryTask): void {
    this.tasks.push(task);
  }

  async get(key: string): Promise<string | null> {
    if (!this.readsAllowed) {
      // Down or not yet recovered: this read goes to PostgreSQL, which the errors counter shows.
      this.metrics.error('get');
      return null;
    }
    if (this.l1) return (await this.readThroughL1(key))?.body.toString() ?? null;
    return this.readValue(key, (body) => body.toString());
  }

  peekResponse(key: string): StoredResponse | undefined {
    return this.readsAllowed ? this.l1?.get(key) : undefined;
  }

  // Not async, like `readValue`: on the hit path every awaited layer is a promise and a
  // microtask more per request.
  getResponse(key: string): Promise<StoredResponse | null> {
    // Not counted as an error here: the request then goes through the pipeline, whose read
    // counts it once.
    if (!this.readsAllowed) return Promise.resolve(null);
    if (this.l1) return this.readThroughL1(key);
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
    const outages = this.outages;
    return this.reads.get(this.ns + key).then(
      (body) => (body !== null && this.readsAllowed && outages === this.outages ? found(body) : null),
      () => null,
    );
  }

  async lookup(key: string): Promise<{ value: string | null; sequence: number | null }> {
    if (!this.readsAllowed) {
      this.metrics.error('get');
      return { value: null, sequence: null };
    }
    const remembered = this.l1?.get(key);
    if (remembered) return { value: remembered.body.toString(), sequence: null };
    try {
      const [value, sequence] = await this.call('get', () =>
        this.commands.mGet([this.ns + key, this.keys.sequence]),
      );
      return { value, sequence: sequence === null ? 0 : Number(sequence) };
    } catch {
      return { value: null, sequence: null };
    }
  }

  /**
   * With the in-process cache: memory first, else one atomic read of the entry, the
   * invalidation sequence and the entry's remaining TTL, and the value kept in memory when
   * `L1Cache.fill` finds it safe.
   */
  private async readThroughL1(key: string): Promise<StoredResponse | null> {
    const l1 = this.l1 as L1Cache;
    const remembered = l1.get(key);
    if (remembered) return remembered;
    const ticket = l1.ticket();
    try {
      const [value, sequence, pttl] = (await this.call('get', () =>
        this.run(SCRIPTS.readForL1, [this.ns + key, this.keys.sequence], []),
      )) as [string | null, string | null, number];
      if (value === null) return null;
      return l1.fill(key, value, sequence === null ? 0 : Number(sequence), ticket, Number(pttl));
    } catch {
      return null;
    }
  }

  async readSequence(): Promise<number | null> {
    if (!this.readsAllowed) return null;
    try {
      const value = await this.call('sequence', () => this.commands.get(this.keys.sequence));
      return value === null ? 0 : Number(value);
    } catch {
      return null;
    }
  }

  async setWithTags(entry: CacheEntry, sequence: number): Promise<boolean> {
    const ttlMs = Math.round(entry.ttlSeconds * 1000);
    if (!this.readsAllowed || !(ttlMs >= 1)) return false;
    assertCacheType(entry.cacheType);
    const entryKey = this.ns + entry.key;
    const keys = [
      entryKey,
      this.keys.typePrefix + entry.cacheType,
      this.keys.types,
      this.keys.tags,
      this.keys.cleared,
    ];
    for (const tag of new Set(entry.tags)) keys.push(`${this.ns}tag:${tag}`, `${this.ns}inv:tag:${tag}`);
    try {
      const stored = await this.call('set', () =>
        this.run(SCRIPTS.setWithTags, keys, [
          entry.value,
          String(ttlMs),
          String(sequence),
          entry.cacheType,
          `${entry.cacheType}|${entryKey}`,
        ]),
      );
      if (stored === 1) this.l1?.fill(entry.key, entry.value, sequence, this.l1.ticket(), ttlMs);
      return stored === 1;
    } catch {
      return false;
    }
  }

  async invalidateTags(tags: readonly string[]): Promise<InvalidationResult> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return { deleted: 0, sequence: 0 };
    const keys = [this.keys.sequence];
    for (const tag of unique) keys.push(`${this.ns}tag:${tag}`, `${this.ns}inv:tag:${tag}`);
    const started = process.hrtime.bigint();
    try {
      let sequence = 0;
      let deleted = 0;
      let left: number;
      do {
        const reply = (await this.call('invalidate', () =>
          this.run(SCRIPTS.invalidateTags, keys, [
            String(MARKER_TTL_MS),
            String(this.options.membersPerCall ?? 10_000),
            this.keys.typePrefix,
            String(sequence),
            this.keys.events,
          ]),
        )) as number[];
        sequence = Number(reply[0]);
        deleted += Number(reply[1]);
        left = Number(reply[2]);
      } while (left > 0);
      this.metrics.invalidated(deleted, Number(process.hrtime.bigint() - started) / 1e9);
      // A read this instance serves after the write is acknowledged must not come from memory.
      await this.l1?.seen(sequence);
      return { deleted, sequence };
    } catch (error) {
      // This instance may now hold entries the write should have removed: stop reading them
      // until the recovery tasks (the outbox) have applied the pending invalidations.
      this.holdReadsUntilRecovered();
      throw error;
    }
  }

  async deleteKey(key: string): Promise<boolean> {
    const started = process.hrtime.bigint();
    const existed = await this.call('delete', () =>
      this.run(
        SCRIPTS.deleteKey,
        [this.ns + key, this.keys.types, this.keys.sequence],
        [this.keys.typePrefix, this.keys.events],
      ),
    );
    this.l1?.delete(key);
    this.metrics.invalidated(Number(existed), Number(process.hrtime.bigint() - started) / 1e9);
    return existed === 1;
  }

  async clearNamespace(): Promise<number> {
    const started = process.hrtime.bigint();
    await this.call('clear', () =>
      this.run(
        SCRIPTS.markAllInvalidated,
        [this.keys.sequence, this.keys.cleared],
        [String(MARKER_TTL_MS), this.keys.events],
      ),
    );
    this.l1?.clear();
    const types = await this.call('clear', () => this.commands.sMembers(this.keys.types));
    let deleted = 0;
    for (const cacheType of types) deleted += await this.unlinkIndex(this.keys.typePrefix + cacheType);
    await this.unlinkIndex(this.keys.tags);
    this.metrics.invalidated(deleted, Number(process.hrtime.bigint() - started) / 1e9);
    return deleted;
  }

  async countEntries(): Promise<Record<string, number>> {
    const reply = (await this.call('stats', () =>
      this.run(SCRIPTS.countEntries, [this.keys.types], [this.keys.typePrefix]),
    )) as (string | number)[];
    const counts: Record<string, number> = {};
    for (let i = 0; i < reply.length; i += 2) counts[String(reply[i])] = Number(reply[i + 1]);
    return counts;
  }

  async ping(): Promise<boolean> {
    try {
      await this.call('ping', () => this.commands.ping());
      return true;
    } catch {
      return false;
    }
  }

  /** Pops and UNLINKs an index zset's members in batches, so Redis is never blocked for long. */
  private async unlinkIndex(indexKey: string): Promise<number> {
    const batch = String(this.options.clearBatchSize ?? 500);
    let existed = 0;
    for (;;) {
      const [popped, unlinked] = (await this.call('clear', () =>
        this.run(SCRIPTS.unlinkIndexBatch, [indexKey], [batch]),
      )) as number[];
      existed += Number(unlinked);
      if (Number(popped) === 0) return existed;
    }
  }

  /** EVALSHA, falling back to EVAL (which also loads the script) when Redis does not know it yet. */
  private async run(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.commands.evalSha(script.sha1, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.commands.eval(script.source, { keys, arguments: args });
    }
  }

  /**
   * One Redis call through the breaker and the timeout; a failure is counted (`reads` times in
   * `fkapi_cache_errors_total`; 0 when the caller counts) and rethrown.
   */
  private async call<T>(operation: CacheOperation, work: () => Promise<T>, reads = 1): Promise<T> {
    if (this.closed || !this.breaker.tryAcquire()) {
      if (reads > 0) this.metrics.error(operation, reads);
      throw new CacheUnavailableError(this.closed ? 'closed' : 'circuit open');
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // Due timers run before the event loop reads its sockets: after the loop was busy for
      // longer than the timeout, an answer already waiting would lose to the timer, and a busy
      // process would count answered commands as failures and open the breaker (then every
      // read goes to PostgreSQL just when the process has the least time to spare). The
      // rejection waits for the check phase, which comes after the sockets were read.
      timer = setTimeout(() => setImmediate(() => reject(this.timedOut())), this.options.commandTimeoutMs);
    });
    try {
      const result = await Promise.race([work(), timeout]);
      this.breaker.recordSuccess();
      return result;
    } catch (error) {
      if (reads > 0) this.metrics.error(operation, reads);
      if (this.breaker.recordFailure()) this.holdReadsUntilRecovered();
      throw new CacheUnavailableError(error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops serving reads until a recovery has run: now, after the cool-down when the breaker is
   * open, or — when disconnected — on the client's next 'ready' event.
   */
  private holdReadsUntilRecovered(): void {
    this.readsAllowed = false;
    this.outages++;
    this.l1?.clear();
    if (!this.client.isReady) return;
    if (this.breaker.state === 'closed') this.startRecovery();
    else this.scheduleRecovery();
  }

  private scheduleRecovery(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.client.isReady) this.startRecovery();
    }, this.options.cooldownMs ?? 2000);
    this.retryTimer.unref();
  }

  /**
   * Holds reads back and runs the recovery: a probe, then every task in order; reads resume only
   * when all succeeded and nothing asked for another run meanwhile. A failure retries later.
   */
  private startRecovery(): void {
    if (this.closed) return;
    this.readsAllowed = false;
    if (this.recovery) {
      this.recoverAgain = true;
      return;
    }
    this.recovery = this.recover().finally(() => (this.recovery = null));
  }

  private async recover(): Promise<void> {
    do {
      this.recoverAgain = false;
      try {
        await this.call('recovery', () => this.commands.ping());
        for (const task of this.tasks) await task();
      } catch (error) {
        // Once per outage at warn level; the retries every cool-down at debug level.
        const message = `Cache recovery failed, retrying: ${error instanceof Error ? error.message : String(error)}`;
        if (this.recoveryFailing) this.logger.debug(message);
        else this.logger.warn(message);
        this.recoveryFailing = true;
        this.scheduleRecovery();
        return;
      }
    } while (this.recoverAgain && !this.closed);
    if (this.closed) return;
    this.recoveryFailing = false;
    this.readsAllowed = true;
    this.resolveFirstRecovery();
  }
}
