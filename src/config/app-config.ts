// Over 300 lines: the environment's schema, its parsing and the typed AppConfig are one contract
// (every variable is listed once, next to its field); the parsers of single values could move out.
import proxyAddr from '@fastify/proxy-addr';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { ConfigError } from './config-error';
import { RedisClusterConfig, RedisSentinelConfig, redisTopologyOf } from './redis-topology';

export { ConfigError } from './config-error';
export type { RedisClusterConfig, RedisSentinelConfig, SentinelAddress } from './redis-topology';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
};
const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * The process environment as read once at start-up. Every variable is listed in `.env.example`
 * and docs/OPERATIONS.md; names follow the environment, fields of {@link AppConfig} are camelCase.
 */
class Environment {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV: string = 'development';
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  @IsString() HOST: string = '0.0.0.0';
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL: string = 'log';
  @Transform(emptyToUndefined) @IsOptional() @IsIn(['json', 'pretty']) LOG_FORMAT?: string;
  @Transform(toBool) @IsBoolean() LOG_REQUESTS: boolean = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE: number = 10;
  @Transform(toList)
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    each: true,
    message: 'DATABASE_REPLICA_URLS must be comma-separated postgres:// URLs',
  })
  @ArrayMaxSize(16)
  DATABASE_REPLICA_URLS: string[] = [];
  @Transform(toBool) @IsBoolean() DATABASE_PREPARED_STATEMENTS: boolean = true;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DATABASE_CONNECT_TIMEOUT_MS: number = 3000;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DATABASE_STATEMENT_TIMEOUT_MS: number = 5000;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DATABASE_QUERY_TIMEOUT_MS: number = 6000;
  @IsString() EMBEDDED_PG_DIR: string = './.data/postgres';
  @Transform(toInt) @IsInt() @Min(1024) @Max(65535) EMBEDDED_PG_PORT: number = 54329;
  @Transform(toBool) @IsBoolean() DEMO_DATA: boolean = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Sentinel mode (`redis/sentinel-relay.ts`): exclusive with `REDIS_URL`, checked in `redisTopologyOf`. */
  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^[^\s:,]+:\d{1,5}$/, { each: true, message: 'REDIS_SENTINELS must be host:port,host:port,…' })
  REDIS_SENTINELS: string[] = [];

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[\w.-]+$/, { message: 'REDIS_SENTINEL_MASTER must be the master name the sentinels monitor' })
  REDIS_SENTINEL_MASTER?: string;

  /** Redis Cluster (`redis/redis-cluster.ts`): some of its nodes; exclusive with the two above. */
  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^[^\s:,]+:\d{1,5}$/, { each: true, message: 'REDIS_CLUSTER_NODES must be host:port,host:port,…' })
  REDIS_CLUSTER_NODES: string[] = [];

  /** Cluster only: wait for a replica after each invalidation (`RedisClusterConfig.replicaAcks`). */
  @Transform(toBool) @IsBoolean() REDIS_CLUSTER_REPLICA_ACKS: boolean = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY?: string;
  @Transform(toBool) @IsBoolean() API_AUTH_ENABLED: boolean = false;
  @Transform(toList) @IsString({ each: true }) @MinLength(16, { each: true }) API_KEYS: string[] = [];

  @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_PER_HOUR: number = 100;
  @Transform(toList) @IsString({ each: true }) RATE_LIMIT_WHITELIST: string[] = [];
  /** Off, a number of proxy hops, or the proxies' addresses/CIDRs (`trustProxyOf`). */
  @IsString() @MaxLength(2000) TRUST_PROXY: string = 'false';
  @Transform(toInt) @IsInt() @Min(1024) @Max(64 * 1024 * 1024) BODY_LIMIT_BYTES: number = 1024 * 1024;
  @Transform(toList) @IsString({ each: true }) CORS_ORIGINS: string[] = [];

  @Transform(toInt) @IsInt() @Min(1) CACHE_TTL_SECONDS: number = 3600;
  @Transform(toInt) @IsInt() @Min(1) CACHE_TTL_USER_COLLECTION_SECONDS: number = 7 * 24 * 3600;
  @Transform(toInt) @IsInt() @Min(1) @Max(60000) REDIS_COMMAND_TIMEOUT_MS: number = 250;
  @Transform(toInt) @IsInt() @Min(0) @Max(31536000) CACHE_HTTP_MAX_AGE_SECONDS: number = 0;
  @Transform(toBool) @IsBoolean() CACHE_L1_ENABLED: boolean = false;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000000) CACHE_L1_MAX_ENTRIES: number = 10000;
  @Transform(toInt) @IsInt() @Min(1) @Max(3600000) CACHE_L1_TTL_MS: number = 5000;
  @Transform(toInt) @IsInt() @Min(0) @Max(1024 * 1024 * 1024) HIT_PATH_MEMORY_BYTES: number =
    16 * 1024 * 1024;
  @Transform(toInt) @IsInt() @Min(16) @Max(65536) HIT_PATH_MAX_URL_BYTES: number = 2048;

  @IsString() @MaxLength(2000) USER_COLLECTION_UPSTREAM_URL: string = 'https://www.footballkitarchive.com';
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) USER_COLLECTION_PAGE_DELAY_MS: number = 500;
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) USER_COLLECTION_RETRY_BACKOFF_MS: number = 500;
  @IsString() @MinLength(1) @MaxLength(500) USER_COLLECTION_USER_AGENT: string =
    'FKApi/0.1 (user collection fetcher)';
}

export interface AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** JSON lines, or `pino-pretty` for a terminal (the default in development). */
  readonly logFormat: 'json' | 'pretty';
  /** One access log line per request (at the `log` level). */
  readonly logRequests: boolean;
  /** Undefined until the embedded database is started (see `database/embedded-postgres.ts`). */
  readonly databaseUrl?: string;
  readonly databasePoolSize: number;
  /** Streaming replicas for reads outside transactions (`database/replica-router.ts`, docs/SCALING.md). */
  readonly databaseReplicaUrls: readonly string[];
  /** Send the hot multi-join queries as named prepared statements (`database/prepared-statements.ts`). */
  readonly databasePreparedStatements: boolean;
  /** Bounds that turn a hanging PostgreSQL into a fast 503 (`database/data-source-options.ts`). */
  readonly databaseTimeouts: DatabaseTimeouts;
  readonly embeddedPgDir: string;
  readonly embeddedPgPort: number;
  readonly demoData: boolean;
  readonly redisUrl?: string;
  /** Redis found through Sentinel instead of `redisUrl` (never both). */
  readonly redisSentinel?: RedisSentinelConfig;
  /** Redis Cluster instead of `redisUrl` (never with it nor with sentinels). */
  readonly redisCluster?: RedisClusterConfig;
  readonly adminApiKey?: string;
  readonly apiAuthEnabled: boolean;
  readonly apiKeys: readonly string[];
  readonly rateLimitPerHour: number;
  readonly rateLimitWhitelist: readonly string[];
  /**
   * Which peers are proxies whose `X-Forwarded-For` is believed: none (`false`), the nearest N
   * hops, or the listed addresses/CIDRs (`common/http/client-address.ts`).
   */
  readonly trustProxy: TrustProxy;
  readonly bodyLimitBytes: number;
  readonly corsOrigins: readonly string[];
  readonly cacheTtlSeconds: number;
  readonly cacheTtlUserCollectionSeconds: number;
  readonly redisCommandTimeoutMs: number;
  /** `Cache-Control: max-age` of cached reads, capped by each entry's TTL (0: revalidate every time). */
  readonly cacheHttpMaxAgeSeconds: number;
  /** In-process LRU in front of Redis, kept coherent by Redis pub/sub (`cache/l1-cache.ts`). */
  readonly cacheL1: { readonly enabled: boolean; readonly maxEntries: number; readonly ttlMs: number };
  /**
   * The cache-hit path's memory of answerable URLs (`cache/http/cached-responses.ts`): at most
   * `memoryBytes` (0 turns the hit path off), and no URL longer than `maxUrlBytes`.
   */
  readonly hitPath: { readonly memoryBytes: number; readonly maxUrlBytes: number };
  readonly userCollectionUpstreamUrl: string;
  /** Pause between two feed pages of one user (the reference's 0.5 s). */
  readonly userCollectionPageDelayMs: number;
  /** First retry delay after an upstream 429/5xx; doubles on each retry. */
  readonly userCollectionRetryBackoffMs: number;
  readonly userCollectionUserAgent: string;
}

/** `TRUST_PROXY`: off, a hop count, or the proxies' addresses and CIDRs. */
export type TrustProxy = false | number | readonly string[];

/**
 * `TRUST_PROXY` as Fastify's `trustProxy` takes it, without `true`: trusting every hop lets any
 * client choose its address (and so its rate-limit bucket) by writing `X-Forwarded-For`.
 * Addresses are checked by the library that will use them (`@fastify/proxy-addr`).
 */
function trustProxyOf(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(value)) return false;
  if (['true', 'yes', 'on'].includes(value))
    throw new ConfigError(
      'Invalid configuration: TRUST_PROXY=true would believe every X-Forwarded-For hop, so any client could choose its address; give the number of proxies in front (e.g. 1) or their addresses/CIDRs',
    );
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) throw new ConfigError('Invalid configuration: TRUST_PROXY: at most 32 proxy hops');
    return hops;
  }
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  try {
    proxyAddr.compile(list);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: TRUST_PROXY: ${(error as Error).message}`);
  }
  return list;
}

export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one in the pool. */
  readonly connectMs: number;
  /** Server side: PostgreSQL cancels a statement running longer. */
  readonly statementMs: number;
  /** Client side: a query whose answer has not arrived by then fails, even if the server is silent. */
  readonly queryMs: number;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

function describe(errors: ValidationError[]): string {
  return errors
    .map((e) => {
      const reasons = Object.values(e.constraints ?? {}).join('; ');
      return `${e.property}: ${reasons}`;
    })
    .join(' | ');
}

/**
 * Reads and validates the configuration. Throws {@link ConfigError} with one readable line naming
 * every bad variable; the caller prints it and exits.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new Environment());
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => v !== undefined && known.includes(k)),
  );
  const parsed = plainToInstance(Environment, present, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false });
  if (errors.length > 0) throw new ConfigError(`Invalid configuration: ${describe(errors)}`);
  return {
    nodeEnv: parsed.NODE_ENV as AppConfig['nodeEnv'],
    port: parsed.PORT,
    host: parsed.HOST,
    logLevel: parsed.LOG_LEVEL as AppConfig['logLevel'],
    logFormat: (parsed.LOG_FORMAT ??
      (parsed.NODE_ENV === 'development' ? 'pretty' : 'json')) as AppConfig['logFormat'],
    logRequests: parsed.LOG_REQUESTS,
    databaseUrl: parsed.DATABASE_URL,
    databasePoolSize: parsed.DATABASE_POOL_SIZE,
    databaseReplicaUrls: parsed.DATABASE_REPLICA_URLS,
    databasePreparedStatements: parsed.DATABASE_PREPARED_STATEMENTS,
    databaseTimeouts: {
      connectMs: parsed.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: parsed.DATABASE_STATEMENT_TIMEOUT_MS,
      queryMs: parsed.DATABASE_QUERY_TIMEOUT_MS,
    },
    embeddedPgDir: parsed.EMBEDDED_PG_DIR,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    demoData: parsed.DEMO_DATA,
    ...redisTopologyOf(parsed),
    adminApiKey: parsed.ADMIN_API_KEY,
    apiAuthEnabled: parsed.API_AUTH_ENABLED,
    apiKeys: parsed.API_KEYS,
    rateLimitPerHour: parsed.RATE_LIMIT_PER_HOUR,
    rateLimitWhitelist: parsed.RATE_LIMIT_WHITELIST,
    trustProxy: trustProxyOf(parsed.TRUST_PROXY),
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    corsOrigins: parsed.CORS_ORIGINS,
    cacheTtlSeconds: parsed.CACHE_TTL_SECONDS,
    cacheTtlUserCollectionSeconds: parsed.CACHE_TTL_USER_COLLECTION_SECONDS,
    redisCommandTimeoutMs: parsed.REDIS_COMMAND_TIMEOUT_MS,
    cacheHttpMaxAgeSeconds: parsed.CACHE_HTTP_MAX_AGE_SECONDS,
    cacheL1: {
      enabled: parsed.CACHE_L1_ENABLED,
      maxEntries: parsed.CACHE_L1_MAX_ENTRIES,
      ttlMs: parsed.CACHE_L1_TTL_MS,
    },
    hitPath: { memoryBytes: parsed.HIT_PATH_MEMORY_BYTES, maxUrlBytes: parsed.HIT_PATH_MAX_URL_BYTES },
    userCollectionUpstreamUrl: parsed.USER_COLLECTION_UPSTREAM_URL.replace(/\/+$/, ''),
    userCollectionPageDelayMs: parsed.USER_COLLECTION_PAGE_DELAY_MS,
    userCollectionRetryBackoffMs: parsed.USER_COLLECTION_RETRY_BACKOFF_MS,
    userCollectionUserAgent: parsed.USER_COLLECTION_USER_AGENT,
  };
}

/**
 * The environment the API and the CLI both read: the variables of `<dir>/.env` when that file
 * exists, under those already set in `env` (which win). The file is parsed, not loaded into
 * `process.env`, so nothing else in the process sees its values.
 */
export function readEnvironment(
  dir: string = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(path.join(dir, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...env };
    throw new ConfigError(`Cannot read .env: ${(error as Error).message}`);
  }
  return { ...parseEnv(text), ...env };
}

/** The configuration of this process: its environment over `./.env` (see {@link readEnvironment}). */
export function loadConfigFromProcess(): AppConfig {
  return loadConfig(readEnvironment());
}
