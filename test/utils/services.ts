/**
 * Where the tests find PostgreSQL and Redis: `DATABASE_URL` / `REDIS_URL`, else the local
 * defaults. Each test file gets its own database (cloned from a migrated template) and its own
 * Redis key namespace, so files run in parallel without seeing each other's data.
 */
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BASE_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Databases of one jest run share the prefix `fkapi_t<start epoch seconds>_<pid>_`, so two runs
 * on one server (two developers, CI and a developer) never drop each other's databases. Set by
 * the global setup, inherited by the workers.
 */
export const RUN_PREFIX_ENV = 'FKAPI_TEST_RUN_PREFIX';
export const DATABASE_NAME_PATTERN = /^fkapi_t(\d+)_\d+_/;

export function runPrefix(): string {
  const prefix = process.env[RUN_PREFIX_ENV];
  if (!prefix) throw new Error(`${RUN_PREFIX_ENV} is not set: run the tests through jest (globalSetup)`);
  return prefix;
}

export function templateDatabase(): string {
  return `${runPrefix()}template`;
}

/** The same server and credentials, another database. */
export function databaseUrl(database: string, base = BASE_DATABASE_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}
