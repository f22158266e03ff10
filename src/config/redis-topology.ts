// Which Redis the application uses: one (`REDIS_URL`), one found through Sentinel
// (`REDIS_SENTINELS` + `REDIS_SENTINEL_MASTER`), a Redis Cluster (`REDIS_CLUSTER_NODES`), or none.
import { ConfigError } from './config-error';

export interface SentinelAddress {
  readonly host: string;
  readonly port: number;
}

export interface RedisSentinelConfig {
  readonly sentinels: readonly SentinelAddress[];
  /** The name under which the sentinels monitor the master (`sentinel monitor <name> …`). */
  readonly masterName: string;
}

export interface RedisClusterConfig {
  /** Some nodes of the cluster: the client asks them for the slot map and finds the rest. */
  readonly nodes: readonly SentinelAddress[];
  /**
   * `REDIS_CLUSTER_REPLICA_ACKS` (default true): an invalidation counts only once a replica of
   * its master has it (`WAIT`), so a failover cannot lose it. False for a cluster without
   * replicas, where every such wait would fail.
   */
  readonly replicaAcks: boolean;
}

interface RedisVariables {
  REDIS_URL?: string;
  REDIS_SENTINELS: readonly string[];
  REDIS_SENTINEL_MASTER?: string;
  REDIS_CLUSTER_NODES: readonly string[];
  REDIS_CLUSTER_REPLICA_ACKS: boolean;
  CACHE_L1_ENABLED: boolean;
}

/**
 * The Redis the variables name. At most one of the three ways may be set (which Redis would the
 * cache use otherwise?); the sentinels need the master name and the other way round. The
 * in-process L1 follows one invalidation sequence and is refused on a cluster, where each shard
 * group has its own (docs/SCALING.md).
 */
export function redisTopologyOf(env: RedisVariables): {
  redisUrl?: string;
  redisSentinel?: RedisSentinelConfig;
  redisCluster?: RedisClusterConfig;
} {
  const sentinelSet = env.REDIS_SENTINELS.length > 0 || env.REDIS_SENTINEL_MASTER !== undefined;
  const clusterSet = env.REDIS_CLUSTER_NODES.length > 0;
  const ways = [env.REDIS_URL !== undefined, sentinelSet, clusterSet].filter(Boolean).length;
  if (ways > 1)
    throw new ConfigError(
      'Invalid configuration: REDIS_URL, REDIS_SENTINELS/REDIS_SENTINEL_MASTER and REDIS_CLUSTER_NODES are exclusive: set REDIS_URL for one Redis, the sentinels and the master name for Redis under Sentinel, or the cluster nodes for a Redis Cluster',
    );
  if (clusterSet) {
    if (env.CACHE_L1_ENABLED)
      throw new ConfigError(
        'Invalid configuration: CACHE_L1_ENABLED is not supported with REDIS_CLUSTER_NODES yet: the in-process cache follows one invalidation sequence, a cluster has one per shard group (docs/SCALING.md)',
      );
    return {
      redisCluster: {
        nodes: addressesOf('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES),
        replicaAcks: env.REDIS_CLUSTER_REPLICA_ACKS,
      },
    };
  }
  if (!sentinelSet) return { redisUrl: env.REDIS_URL };
  if (env.REDIS_SENTINELS.length === 0 || env.REDIS_SENTINEL_MASTER === undefined)
    throw new ConfigError(
      'Invalid configuration: REDIS_SENTINELS and REDIS_SENTINEL_MASTER go together (the sentinels, and the master name they monitor)',
    );
  return {
    redisSentinel: {
      sentinels: addressesOf('REDIS_SENTINELS', env.REDIS_SENTINELS),
      masterName: env.REDIS_SENTINEL_MASTER,
    },
  };
}

function addressesOf(variable: string, entries: readonly string[]): SentinelAddress[] {
  return entries.map((entry) => {
    const at = entry.lastIndexOf(':');
    const port = Number(entry.slice(at + 1));
    if (port < 1 || port > 65535)
      throw new ConfigError(`Invalid configuration: ${variable}: ${entry}: port out of range`);
    return { host: entry.slice(0, at), port };
  });
}

/** Whether the cache is in a Redis shared with other processes (not in the process's memory). */
export function hasSharedRedis(config: {
  redisUrl?: string;
  redisSentinel?: RedisSentinelConfig;
  redisCluster?: RedisClusterConfig;
}): boolean {
  return (
    config.redisUrl !== undefined || config.redisSentinel !== undefined || config.redisCluster !== undefined
  );
}
