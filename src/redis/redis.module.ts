// RedisModule: the Redis connection and client (null without REDIS_URL or sentinels), opened and
// closed here.
import {
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import {
  createRedisClient,
  createRedisClusterClient,
  REDIS_CLIENT,
  RedisClient,
  redisDatabaseOf,
} from './redis-client';
import { clusterConnection, REDIS_CONNECTION, RedisConnection } from './redis-connection';
import { SentinelRelay } from './sentinel-relay';

/**
 * The connection `config` asks for: to `REDIS_URL`, to a Redis Cluster (`REDIS_CLUSTER_NODES`),
 * through a relay to the master the sentinels name (`REDIS_SENTINELS`), or none.
 */
async function connectionOf(config: AppConfig): Promise<RedisConnection | null> {
  const commandTimeoutMs = config.redisCommandTimeoutMs;
  if (config.redisUrl)
    return new RedisConnection(createRedisClient(config.redisUrl, commandTimeoutMs), {
      commandTimeoutMs,
      database: redisDatabaseOf(config.redisUrl),
    });
  if (config.redisCluster)
    return clusterConnection(createRedisClusterClient(config.redisCluster.nodes, commandTimeoutMs), {
      commandTimeoutMs,
      clusterReplicaAcks: config.redisCluster.replicaAcks,
    });
  if (!config.redisSentinel) return null;
  const sentinel = new SentinelRelay(config.redisSentinel, {
    timeoutMs: Math.max(1000, commandTimeoutMs),
  });
  await sentinel.listen();
  return new RedisConnection(createRedisClient(sentinel.url, commandTimeoutMs), {
    commandTimeoutMs,
    sentinel,
  });
}

/** How long the start waits for Redis before serving without it (it keeps reconnecting). */
const STARTUP_WAIT_MS = 2000;

/**
 * Opens the connection once every module is initialised (so the cache store's recovery tasks are
 * registered before its first recovery) and closes it at the very end. The outbox's last drain
 * runs earlier, in `beforeApplicationShutdown`; the users attached to the connection (the cache
 * store, the L1) are stopped by `RedisConnection.close` itself, before the QUIT, so the order
 * does not depend on the order in which Nest visits the global modules.
 */
@Injectable()
class RedisLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REDIS_CONNECTION) private readonly connection: RedisConnection | null) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connection?.open(STARTUP_WAIT_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.close();
  }
}

/**
 * The Redis connection of the application, and the one place that decides whether there is
 * one: without `REDIS_URL`, `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS`, `REDIS_CONNECTION` and `REDIS_CLIENT` are null and every user falls
 * back to this process (the in-memory cache store, local rate-limit counts, in-process fetch
 * locks, a local replica watermark). Global: those users inject the tokens without importing it.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CONNECTION,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<RedisConnection | null> => connectionOf(config),
    },
    {
      provide: REDIS_CLIENT,
      inject: [REDIS_CONNECTION],
      useFactory: (connection: RedisConnection | null): RedisClient | null => connection?.client ?? null,
    },
    RedisLifecycle,
  ],
  exports: [REDIS_CONNECTION, REDIS_CLIENT],
})
export class RedisModule {}
