// The application's one Redis connection: connect in the background, tell its users, close last.
import { Logger } from '@nestjs/common';
import { reconnectDelay, RedisClient, RedisClusterClient } from './redis-client';
import { SentinelRelay } from './sentinel-relay';

/**
 * Something that uses the connection and must be told when it starts and before it closes (the
 * cache store, the L1's subscription). Attached in the order they were built; stopped in the
 * reverse order.
 */
export interface RedisUser {
  /**
   * Called once the connection is connecting. The promise, if any, resolves when the user is
   * ready to serve; `open` waits for it at most its start-up wait.
   */
  started?(): Promise<void> | void;
  /** Called before the connection closes: stop using it (nothing more is sent after this). */
  stopping(): Promise<void> | void;
}

export interface RedisConnectionOptions {
  /** `REDIS_COMMAND_TIMEOUT_MS`: also bounds the QUIT at close. */
  commandTimeoutMs: number;
  /** Database index the client selects (`redisDatabaseOf`); names the invalidation channel. */
  database?: number;
  /**
   * Redis under Sentinel: the relay the client connects through (started before the client
   * connects, stopped after it closed). Also makes every invalidation wait for a replica.
   */
  sentinel?: SentinelRelay;
  /**
   * Redis Cluster: the cluster client, the same object as the connection's `client` (see
   * `clusterConnection`).
   */
  cluster?: RedisClusterClient;
  /** Cluster only: whether invalidations wait for a replica (`REDIS_CLUSTER_REPLICA_ACKS`). */
  clusterReplicaAcks?: boolean;
}

/**
 * The application's Redis connection (`RedisModule`): connects in the background and keeps
 * reconnecting (`createRedisClient`), tells its users when it starts and before it closes, and
 * closes last with a bounded QUIT, then a destroy. What an outage means for each user (the
 * cache store's breaker and recovery, the rate limiter's local counts) stays with that user.
 */
export class RedisConnection {
  private readonly logger = new Logger('RedisCache');
  private readonly users: RedisUser[] = [];
  private opened = false;
  private closed = false;
  readonly database: number;

  /** A cluster client has connected (learnt the slot map) and not disconnected since. */
  private clusterUp = false;

  constructor(
    /**
     * The commands, routed by their first key. On a cluster, the cluster client: it answers the
     * single-slot commands the application sends under the same names; what differs (readiness,
     * events, PING, closing) goes through the methods below.
     */
    readonly client: RedisClient,
    readonly options: RedisConnectionOptions,
  ) {
    this.database = options.database ?? 0;
    const cluster = options.cluster;
    if (cluster) {
      cluster.on('connect', () => (this.clusterUp = true));
      cluster.on('disconnect', () => (this.clusterUp = false));
    }
  }

  /** Whether this is a Redis Cluster (keys are then laid out in shard groups). */
  get isCluster(): boolean {
    return this.options.cluster !== undefined;
  }

  /**
   * Whether an invalidation must reach a replica before it counts (`WAIT`): under Sentinel, and
   * on a cluster unless told it has no replicas. A failover promotes a replica: one without the
   * invalidation would serve what it deleted.
   */
  get waitsForReplica(): boolean {
    return (
      this.options.sentinel !== undefined || (this.isCluster && this.options.clusterReplicaAcks !== false)
    );
  }

  /** Whether commands can be sent now (connected and ready). */
  get ready(): boolean {
    return this.options.cluster ? this.options.cluster.isOpen && this.clusterUp : this.client.isReady;
  }

  /** Called each time the connection is ready again (the cluster: each time it connects). */
  onReady(listener: () => void): void {
    if (this.options.cluster) this.options.cluster.on('connect', listener);
    else this.client.on('ready', listener);
  }

  /** Called on every connection error (the cluster: of any of its nodes). */
  onError(listener: (error: unknown) => void): void {
    if (this.options.cluster) {
      this.options.cluster.on('error', listener);
      this.options.cluster.on('node-error', listener);
    } else this.client.on('error', listener);
  }

  /** PING on every master (one for a single Redis); rejects when one does not answer. */
  async ping(): Promise<void> {
    const cluster = this.options.cluster;
    if (!cluster) {
      await this.client.withCommandOptions({ timeout: 0 }).ping();
      return;
    }
    await Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).ping()));
  }

  /** Whether `close` was called: nothing should be sent any more. */
  get isClosed(): boolean {
    return this.closed;
  }

  attach(user: RedisUser): void {
    this.users.push(user);
  }

  /**
   * Connects in the background (retrying for ever) and waits at most `waitMs` for every user to
   * be ready, so a healthy Redis serves from the first request while a missing one does not
   * delay the start. Called once every module is initialised (their recovery tasks registered).
   */
  async open(waitMs: number): Promise<void> {
    if (this.opened || this.closed) return;
    this.opened = true;
    // Bounded: without any sentinel the client connects to nothing and keeps trying.
    await this.options.sentinel?.start();
    if (this.options.cluster) void this.connectCluster(this.options.cluster);
    else
      this.client.connect().catch((error: unknown) => {
        // Only reached when the client is closed while connecting; users log outages themselves.
        if (!this.closed) this.logger.warn(`Redis connect failed: ${String(error)}`);
      });
    const ready = this.users.map((user) => Promise.resolve(user.started?.()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ready),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
  }

  /** Stops every user (last attached first), then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const user of [...this.users].reverse()) await user.stopping();
    await this.closeClient();
    await this.options.sentinel?.stop();
  }

  /**
   * A cluster client gives up when none of the nodes it was given answers (a single client keeps
   * reconnecting on its own): retried here, with the same backoff, until it connects or closes.
   */
  private async connectCluster(cluster: RedisClusterClient): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await cluster.connect();
        return;
      } catch (error) {
        if (attempt === 0) this.logger.warn(`Redis Cluster not reachable yet: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, reconnectDelay(attempt)).unref());
      }
    }
  }

  private async closeClient(): Promise<void> {
    const client = this.options.cluster ?? this.client;
    if (!client.isOpen) return;
    if (this.ready) {
      // QUIT lets in-flight commands finish, but a hanging Redis would never answer it.
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([
        client.close().then(() => true),
        new Promise<false>(
          (resolve) => (timer = setTimeout(() => resolve(false), this.options.commandTimeoutMs)),
        ),
      ]).catch(() => false);
      clearTimeout(timer);
      if (closed) return;
    }
    if (client.isOpen) client.destroy();
  }
}

/** The connection to a Redis Cluster: its cluster client serves as the command client. */
export function clusterConnection(
  cluster: RedisClusterClient,
  options: Omit<RedisConnectionOptions, 'cluster' | 'database' | 'sentinel'>,
): RedisConnection {
  return new RedisConnection(cluster as unknown as RedisClient, { ...options, cluster });
}

/**
 * Injection token of the {@link RedisConnection}: null when `REDIS_URL` is not set. Users that
 * only send commands inject `REDIS_CLIENT` (its client) instead.
 */
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
