// A Redis connection for tests that build a cache store by hand, as `RedisModule` builds one for
// the application: `connection.open(waitMs)` starts the store, `connection.close()` stops it.
import { createRedisClient, RedisClient } from '../../src/redis/redis-client';
import { RedisConnection } from '../../src/redis/redis-connection';

export function redisConnection(
  target: string | RedisClient,
  commandTimeoutMs: number,
  database?: number,
): RedisConnection {
  const client = typeof target === 'string' ? createRedisClient(target, commandTimeoutMs) : target;
  return new RedisConnection(client, { commandTimeoutMs, database });
}
