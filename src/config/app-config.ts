import { plainToInstance, Transform } from 'class-transformer';
import {
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
 * and the README; names follow the environment, fields of {@link AppConfig} are camelCase.
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
  @Transform(toBool) @IsBoolean() DATABASE_PREPARED_STATEMENTS: boolean = true;
  @IsString() EMBEDDED_PG_DIR: string = './.data/postgres';
  @Transform(toInt) @IsInt() @Min(1024) @Max(65535) EMBEDDED_PG_PORT: number = 54329;
  @Transform(toBool) @IsBoolean() DEMO_DATA: boolean = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' })
  ADMIN_API_KEY?: string;
  @Transform(toBool) @IsBoolean() API_AUTH_ENABLED: boolean = false;
  @Transform(toList) @IsString({ each: true }) @MinLength(16, { each: true }) API_KEYS: string[] = [];

  @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_PER_HOUR: number = 100;
  @Transform(toList) @IsString({ each: true }) RATE_LIMIT_WHITELIST: string[] = [];
  @Transform(toBool) @IsBoolean() TRUST_PROXY: boolean = false;
  @Transform(toInt) @IsInt() @Min(1024) @Max(64 * 1024 * 1024) BODY_LIMIT_BYTES: number = 1024 * 1024;
  @Transform(toList) @IsString({ each: true }) CORS_ORIGINS: string[] = [];

  @Transform(toInt) @IsInt() @Min(1) CACHE_TTL_SECONDS: number = 3600;
  @Transform(toInt) @IsInt() @Min(1) CACHE_TTL_USER_COLLECTION_SECONDS: number = 7 * 24 * 3600;
  @Transform(toInt) @IsInt() @Min(1) @Max(60000) REDIS_COMMAND_TIMEOUT_MS: number = 250;
  @Transform(toInt) @IsInt() @Min(0) @Max(31536000) CACHE_HTTP_MAX_AGE_SECONDS: number = 0;
  @Transform(toBool) @IsBoolean() CACHE_L1_ENABLED: boolean = false;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000000) CACHE_L1_MAX_ENTRIES: number = 10000;
  @Transform(toInt) @IsInt() @Min(1) @Max(3600000) CACHE_L1_TTL_MS: number = 5000;

  @IsString() @MaxLength(2000) USER_COLLECTION_UPSTREAM_URL: string = 'https://www.footballkitarchive.com';
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) USER_COLLECTION_PAGE_DELAY_MS: number = 500;
  @Transform(toInt) @IsInt() @Min(0) @Max(60000) USER_COLLECTION_RETRY_BACKOFF_MS: number = 500;
  @IsString() @MinLength(1) @MaxLength(500) USER_COLLECTION_USER_AGENT: string =
    'FKApi/0.1 (user collection fetcher)';

  /** Test-only fault (test/chaos): the process kills itself between a commit and its invalidation. */
  @Transform(toBool) @IsBoolean() TEST_CRASH_AFTER_COMMIT: boolean = false;
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
  /** Send the hot multi-join queries as named prepared statements (`database/prepared-statements.ts`). */
  readonly databasePreparedStatements: boolean;
  readonly embeddedPgDir: string;
  readonly embeddedPgPort: number;
  readonly demoData: boolean;
  readonly redisUrl?: string;
  readonly adminApiKey?: string;
  readonly apiAuthEnabled: boolean;
  readonly apiKeys: readonly string[];
  readonly rateLimitPerHour: number;
  readonly rateLimitWhitelist: readonly string[];
  readonly trustProxy: boolean;
  readonly bodyLimitBytes: number;
  readonly corsOrigins: readonly string[];
  readonly cacheTtlSeconds: number;
  readonly cacheTtlUserCollectionSeconds: number;
  readonly redisCommandTimeoutMs: number;
  /** `Cache-Control: max-age` of cached reads, capped by each entry's TTL (0: revalidate every time). */
  readonly cacheHttpMaxAgeSeconds: number;
  /** In-process LRU in front of Redis, kept coherent by Redis pub/sub (`cache/l1-cache.ts`). */
  readonly cacheL1: { readonly enabled: boolean; readonly maxEntries: number; readonly ttlMs: number };
  readonly userCollectionUpstreamUrl: string;
  /** Pause between two feed pages of one user (the reference's 0.5 s). */
  readonly userCollectionPageDelayMs: number;
  /** First retry delay after an upstream 429/5xx; doubles on each retry. */
  readonly userCollectionRetryBackoffMs: number;
  readonly userCollectionUserAgent: string;
  /** Test-only (NODE_ENV=test): SIGKILL this process right after a write commits, before it invalidates. */
  readonly testCrashAfterCommit: boolean;
}

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

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
  if (parsed.TEST_CRASH_AFTER_COMMIT && parsed.NODE_ENV !== 'test')
    throw new ConfigError(
      'Invalid configuration: TEST_CRASH_AFTER_COMMIT is a test fault, only with NODE_ENV=test',
    );
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
    databasePreparedStatements: parsed.DATABASE_PREPARED_STATEMENTS,
    embeddedPgDir: parsed.EMBEDDED_PG_DIR,
    embeddedPgPort: parsed.EMBEDDED_PG_PORT,
    demoData: parsed.DEMO_DATA,
    redisUrl: parsed.REDIS_URL,
    adminApiKey: parsed.ADMIN_API_KEY,
    apiAuthEnabled: parsed.API_AUTH_ENABLED,
    apiKeys: parsed.API_KEYS,
    rateLimitPerHour: parsed.RATE_LIMIT_PER_HOUR,
    rateLimitWhitelist: parsed.RATE_LIMIT_WHITELIST,
    trustProxy: parsed.TRUST_PROXY,
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
    userCollectionUpstreamUrl: parsed.USER_COLLECTION_UPSTREAM_URL.replace(/\/+$/, ''),
    userCollectionPageDelayMs: parsed.USER_COLLECTION_PAGE_DELAY_MS,
    userCollectionRetryBackoffMs: parsed.USER_COLLECTION_RETRY_BACKOFF_MS,
    userCollectionUserAgent: parsed.USER_COLLECTION_USER_AGENT,
    testCrashAfterCommit: parsed.TEST_CRASH_AFTER_COMMIT,
  };
}

/** Reads `./.env` into the environment if present (variables already set win), then the config. */
export function loadConfigFromProcess(): AppConfig {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError(`Cannot read .env: ${(error as Error).message}`);
  }
  return loadConfig(process.env);
}
