// What a Redis outage means for the cache: every call bounded and counted, the circuit breaker,
// and reads held back until the recovery tasks have run. Part of `RedisCacheStore`.
import { Logger } from '@nestjs/common';
import { CacheMetrics, CacheOperation } from '../metrics/cache-metrics';
import { RedisClient } from '../redis/redis-client';
import { RedisConnection, RedisUser } from '../redis/redis-connection';
import { CacheUnavailableError, RecoveryTask } from './cache-store';
import { CircuitBreaker } from './circuit-breaker';
import { LuaScript } from './redis-scripts';

export interface RedisAvailabilityOptions {
  /** Every call gives up after this long (`REDIS_COMMAND_TIMEOUT_MS`). */
  commandTimeoutMs: number;
  /** Consecutive failures that open the circuit breaker. */
  failureThreshold?: number;
  /** How long the open breaker skips Redis before a probe. */
  cooldownMs?: number;
}

class RedisTimeoutError extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
  }
}

/**
 * The cache store's view of its Redis connection (docs/DESIGN.md §4, step 5). Redis trouble never
 * fails a read: every call has a timeout, commands are not queued while disconnected, and after
 * `failureThreshold` consecutive failures a circuit breaker skips Redis for `cooldownMs`. A
 * failure is counted in `fkapi_cache_errors_total{operation}`.
 *
 * Reads are held back ("recovering") whenever Redis becomes reachable again — at start, after a
 * reconnect, after the breaker opened, after an invalidation failed — until every recovery task
 * (the outbox drain) has run: an entry an outage kept alive is never served.
 *
 * The connection itself (connect, QUIT) belongs to `RedisConnection`; this is attached to it as a
 * user, started when it opens and stopped before it closes.
 */
export class RedisAvailability implements RedisUser {
  private readonly logger = new Logger('RedisCache');
  private readonly breaker: CircuitBreaker;
  /**
   * The client without its per-command timeout: `call()` bounds every command itself, and
   * node-redis's timeout costs an `AbortSignal.timeout()` per command (measured: a tenth of a
   * cached hit's CPU time).
   */
  readonly commands: RedisClient;
  private readonly timedOut: () => Error;
  private readonly tasks: RecoveryTask[] = [];
  private readonly readsStopped: Array<() => void> = [];
  private readsAllowed = false;
  /**
   * Counts the times reads were stopped (`holdReadsUntilRecovered`): a read whose answer
   * arrives after another outage began is dropped, whatever its timing.
   */
  private outageCount = 0;
  /**
   * Counts the client's connections (each 'ready', each 'error'): a `WAIT` answered on another
   * connection than the writes it should cover says nothing about them.
   */
  private connectionCount = 0;
  /**
   * Scripts Redis ran by their SHA1 on the current connection(s) (`connectionCount` when they
   * did): a command sent behind such a script runs after it, not after a NOSCRIPT refusal.
   */
  private readonly loadedScripts = new Map<string, number>();
  private recovery: Promise<void> | null = null;
  private recoverAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private loggedOutage = false;
  private recoveryFailing = false;
  private readonly firstRecovery: Promise<void>;
  private resolveFirstRecovery!: () => void;

  constructor(
    readonly connection: RedisConnection,
    private readonly metrics: CacheMetrics,
    private readonly options: RedisAvailabilityOptions,
  ) {
    const client = connection.client;
    this.commands = client.withCommandOptions({ timeout: 0 });
    this.timedOut = () => new RedisTimeoutError(options.commandTimeoutMs);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold ?? 5,
      cooldownMs: options.cooldownMs ?? 2000,
    });
    this.firstRecovery = new Promise((resolve) => (this.resolveFirstRecovery = resolve));
    connection.onReady(() => {
      this.connectionCount++;
      if (this.loggedOutage) this.logger.log('Redis is reachable again');
      this.loggedOutage = false;
      this.startRecovery();
    });
    connection.onError((error: unknown) => {
      this.connectionCount++;
      this.holdReadsUntilRecovered();
      if (!this.loggedOutage) {
        this.loggedOutage = true;
        this.logger.warn(
          `Redis unavailable, serving from PostgreSQL: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
    connection.attach(this);
  }

  /** Whether reads are served from Redis now (false while down or recovering). */
  get serving(): boolean {
    return this.readsAllowed;
  }

  /** Changes each time reads are stopped: a read begun under another value must be dropped. */
  get outages(): number {
    return this.outageCount;
  }

  /** Changes whenever the client connects again or fails (see `connectionCount`). */
  get connectionEpoch(): number {
    return this.connectionCount;
  }

  get circuitState(): CircuitBreaker['state'] {
    return this.breaker.state;
  }

  /** The first recovery, which the connection's start-up waits for (bounded). */
  started(): Promise<void> {
    return this.firstRecovery;
  }

  /** Before the connection closes: serve nothing more, send nothing more. */
  stopping(): void {
    this.closed = true;
    this.readsAllowed = false;
    clearTimeout(this.retryTimer);
  }

  addRecoveryTask(task: RecoveryTask): void {
    this.tasks.push(task);
  }

  /** Told every time reads stop (an in-process copy must then be dropped). */
  onReadsStopped(listener: () => void): void {
    this.readsStopped.push(listener);
  }

  /**
   * `WAIT 1 <timeoutMs>` on the connection that wrote the keys of `routingKey`'s slot (WAIT
   * covers the writes of its own connection): the one connection of a single Redis, the
   * connection to that slot's master on a cluster. The number of replicas that acknowledged.
   */
  waitForReplica(routingKey: string, timeoutMs: number): Promise<number> {
    const cluster = this.connection.options.cluster;
    if (cluster) return cluster.sendCommand<number>(routingKey, false, ['WAIT', '1', String(timeoutMs)]);
    return this.commands.wait(1, timeoutMs);
  }

  /**
   * EVALSHA, falling back to EVAL (which also loads the script) when Redis does not know it yet;
   * `loading` is told when it did (the script then ran after whatever was sent meanwhile).
   */
  async run(script: LuaScript, keys: string[], args: string[], loading?: () => void): Promise<unknown> {
    const epoch = this.connectionCount;
    try {
      const reply = await this.commands.evalSha(script.sha1, { keys, arguments: args });
      this.loadedScripts.set(script.sha1, epoch);
      return reply;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      this.loadedScripts.delete(script.sha1);
      loading?.();
      return this.commands.eval(script.source, { keys, arguments: args });
    }
  }

  /**
   * Whether Redis ran `script` by its SHA1 since the connection last changed: an EVALSHA sent now
   * most likely runs at once (on a cluster, a master that never ran it answers NOSCRIPT still).
   */
  knowsScript(script: LuaScript): boolean {
    return this.loadedScripts.get(script.sha1) === this.connectionCount;
  }

  /**
   * One Redis call through the breaker and the timeout; a failure is counted (`reads` times in
   * `fkapi_cache_errors_total`; 0 when the caller counts) and rethrown.
   */
  async call<T>(operation: CacheOperation, work: () => Promise<T>, reads = 1): Promise<T> {
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
      // A Redis out of memory still answers (reads, invalidations): a refused write is not an outage.
      if (isOutOfMemory(error)) this.breaker.recordSuccess();
      else if (this.breaker.recordFailure()) this.holdReadsUntilRecovered();
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
  holdReadsUntilRecovered(): void {
    this.readsAllowed = false;
    this.outageCount++;
    for (const listener of this.readsStopped) listener();
    if (!this.connection.ready) return;
    if (this.breaker.state === 'closed') this.startRecovery();
    else this.scheduleRecovery();
  }

  private scheduleRecovery(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.connection.ready) this.startRecovery();
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
        await this.call('recovery', () => this.connection.ping());
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

/** Redis's `-OOM command not allowed when used memory > 'maxmemory'` refusal. */
function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('OOM ');
}
