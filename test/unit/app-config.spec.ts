import { ConfigError, loadConfig } from '../../src/config/app-config';

describe('loadConfig', () => {
  it('applies the defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      cacheTtlSeconds: 3600,
      cacheTtlUserCollectionSeconds: 604800,
      rateLimitPerHour: 100,
      bodyLimitBytes: 1048576,
      apiAuthEnabled: false,
    });
  });

  it('parses typed values and lists', () => {
    const config = loadConfig({
      PORT: '8080',
      API_AUTH_ENABLED: 'yes',
      API_KEYS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2',
      RATE_LIMIT_WHITELIST: '10.0.0.1,10.0.0.2',
      DATABASE_URL: 'postgres://u:p@db:5432/fkapi',
      USER_COLLECTION_UPSTREAM_URL: 'http://upstream.test/',
    });
    expect(config.port).toBe(8080);
    expect(config.apiAuthEnabled).toBe(true);
    expect(config.apiKeys).toEqual(['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
    expect(config.rateLimitWhitelist).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(config.userCollectionUpstreamUrl).toBe('http://upstream.test');
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'localhost:6379'],
    ['ADMIN_API_KEY', 'short'],
    ['CACHE_TTL_SECONDS', '0'],
    ['API_AUTH_ENABLED', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.0/8,not-an-address'],
    ['TRUST_PROXY', '99'],
    ['HIT_PATH_MEMORY_BYTES', '-1'],
    ['HIT_PATH_MAX_URL_BYTES', '8'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('reads REDIS_SENTINELS and REDIS_SENTINEL_MASTER (Redis under Sentinel, no REDIS_URL)', () => {
    const config = loadConfig({
      REDIS_SENTINELS: 'sentinel-a:26379, 10.0.0.7:26380',
      REDIS_SENTINEL_MASTER: 'fkapi',
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisSentinel).toEqual({
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: '10.0.0.7', port: 26380 },
      ],
      masterName: 'fkapi',
    });
    expect(loadConfig({}).redisSentinel).toBeUndefined();
  });

  it.each([
    [
      { REDIS_URL: 'redis://localhost:6379', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'm' },
      /exclusive/,
    ],
    [{ REDIS_SENTINELS: 's:26379' }, /go together/],
    [{ REDIS_SENTINEL_MASTER: 'm' }, /go together/],
    [{ REDIS_SENTINELS: 's', REDIS_SENTINEL_MASTER: 'm' }, /host:port/],
    [{ REDIS_SENTINELS: 's:70000', REDIS_SENTINEL_MASTER: 'm' }, /out of range/],
    [{ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'has space' }, /master name/],
  ])('refuses the Sentinel settings %p with one line saying why', (env, reason) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(reason);
    expect(() => loadConfig(env)).not.toThrow(/\n/);
  });

  it('reads a Redis Cluster from REDIS_CLUSTER_NODES', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:7000, 10.0.0.8:7001' });
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisSentinel).toBeUndefined();
    expect(config.redisCluster).toEqual({
      nodes: [
        { host: 'redis-a', port: 7000 },
        { host: '10.0.0.8', port: 7001 },
      ],
      replicaAcks: true,
    });
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_CLUSTER_REPLICA_ACKS: 'false' }).redisCluster,
    ).toEqual({
      nodes: [{ host: 'a', port: 7000 }],
      replicaAcks: false,
    });
    expect(loadConfig({}).redisCluster).toBeUndefined();
  });

  it.each([
    [{ REDIS_URL: 'redis://localhost:6379', REDIS_CLUSTER_NODES: 'a:7000' }, /exclusive/],
    [{ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_MASTER: 'm', REDIS_CLUSTER_NODES: 'a:7000' }, /exclusive/],
    [{ REDIS_CLUSTER_NODES: 'a' }, /host:port/],
    [{ REDIS_CLUSTER_NODES: 'a:0' }, /out of range/],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', CACHE_L1_ENABLED: 'true' },
      /CACHE_L1_ENABLED is not supported with REDIS_CLUSTER_NODES/,
    ],
  ])('refuses the cluster settings %p with one line saying why', (env, reason) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(reason);
    expect(() => loadConfig(env)).not.toThrow(/\n/);
  });

  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
    ['loopback,uniquelocal', ['loopback', 'uniquelocal']],
  ])('reads TRUST_PROXY=%s as %p (a hop count or the proxies, never every hop)', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('bounds the cache-hit path by default: 16 MiB of memory, URLs up to 2,048 bytes', () => {
    expect(loadConfig({}).hitPath).toEqual({ memoryBytes: 16 * 1024 * 1024, maxUrlBytes: 2048 });
  });
});
