// The node-redis client of the application: how it is created (fail fast, reconnect for ever)
// and its injection token. `RedisModule` creates the one client; `RedisConnection` connects it.
import { createClient, createCluster } from 'redis';

/** The node-redis client behind the tag index and the Lua scripts. */
export type RedisClient = ReturnType<typeof createClient>;

/**
 * Injection token of the {@link RedisClient} (`RedisModule`): null when `REDIS_URL` is not set
 * (the cache then lives in memory). Modules needing Redis (rate limit, locks, the replica
 * watermark) inject it; nothing else creates clients.
 */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/**
 * Short, so that after an outage every instance is back within about a second of Redis: while
 * one instance already serves reads and another is still reconnecting, the latter's writes
 * cannot invalidate and wait in the outbox.
 */
const MAX_RECONNECT_DELAY_MS = 1000;

/** Exponential backoff with jitter: 100 ms, 200 ms, … up to 1 s between attempts, for ever. */
export function reconnectDelay(retries: number): number {
  const base = Math.min(100 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS);
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/**
 * A client that fails fast instead of waiting: commands sent while disconnected are rejected at
 * once (`disableOfflineQueue`), not queued until Redis returns; queued commands time out after
 * `commandTimeoutMs`; connecting gives up after a second and retries in the background. The
 * store adds a timeout around every call (node-redis's own only covers commands not yet sent)
 * and a circuit breaker. Not connected yet: `RedisConnection.open()` does that.
 */
export function createRedisClient(url: string, commandTimeoutMs: number): RedisClient {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeoutMs },
    socket: {
      connectTimeout: Math.max(1000, commandTimeoutMs),
      reconnectStrategy: reconnectDelay,
    },
  });
}

/** The database index a `redis://host:port/<db>` URL selects (0 without one). */
export function redisDatabaseOf(url: string | undefined): number {
  if (!url) return 0;
  const index = Number(new URL(url).pathname.slice(1) || '0');
  return Number.isInteger(index) && index >= 0 ? index : 0;
}

/** The node-redis cluster client (`REDIS_CLUSTER_NODES`). */
export type RedisClusterClient = ReturnType<typeof createCluster>;

/**
 * A cluster client with the same fail-fast behaviour per node as {@link createRedisClient}. It
 * learns the slot map from the nodes given, follows MOVED and ASK replies (up to 16 times per
 * command) and reloads the map when slots move.
 */
export function createRedisClusterClient(
  nodes: readonly { host: string; port: number }[],
  commandTimeoutMs: number,
): RedisClusterClient {
  return createCluster({
    rootNodes: nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    defaults: {
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(1000, commandTimeoutMs),
        reconnectStrategy: reconnectDelay,
      },
    },
    commandOptions: { timeout: commandTimeoutMs },
    maxCommandRedirections: 16,
  });
}
