/**
 * Where the tests find PostgreSQL and Redis: `DATABASE_URL` / `REDIS_URL`, else the local
 * defaults. Each test file gets its own database (cloned from a migrated template) and its own
 * Redis key namespace, so files run in parallel without seeing each other's data.
 */
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BASE_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEMPLATE_DATABASE = 'fkapi_test_template';

/** The same server and credentials, another database. */
export function databaseUrl(database: string, base = BASE_DATABASE_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}
