import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { rateWindowClock } from './rate-window';
import { ResponseChecks } from './openapi-responses';
import { leaseRedisDb, TestRedisDb } from './redis-db';
import { createTestDatabase, TestDatabase } from './test-database';

export const ADMIN_KEY = 'test-admin-key-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  dataSource: DataSource;
  /** Sends a request through the real app (Fastify inject: no socket, same pipeline). */
  request(options: {
    method?: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
    url: string;
    headers?: Record<string, string>;
    body?: unknown;
    payload?: string | Buffer;
  }): Promise<{
    statusCode: number;
    headers: Record<string, unknown>;
    body: string; // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
    json<T = any>(): T;
  }>;
  /** `http://127.0.0.1:<port>` when started with `listen: true` (real sockets, raw fast path included). */
  baseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Share another app's database (a second instance); it is then not dropped by `close()`. */
  database?: TestDatabase;
  /** Listen on a free loopback port (needed for what only a real socket exercises). */
  listen?: boolean;
}

/**
 * The real application on a database of this test file's own. `env` overrides configuration
 * variables (as strings, exactly as the process would read them).
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'fatal',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '4',
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_HOUR: '0',
    ...env,
  });
  // Every rate-limited test runs inside one clock hour (`rate-window.ts`).
  const app = await createApp(config, undefined, { clock: rateWindowClock });
  let baseUrl = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = await app.getUrl();
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  const dataSource = app.get(DataSource);
  const responseChecks = new ResponseChecks();
  return {
    app,
    db,
    dataSource,
    baseUrl,
    async request({ method = 'GET', url, headers, body, payload }) {
      const response = await app.inject({
        method,
        url,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        payload: payload ?? (body !== undefined ? JSON.stringify(body) : undefined),
      });
      // Every answer is checked against the committed OpenAPI document (`openapi-responses.ts`).
      await responseChecks.record({
        method,
        url,
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body,
      });
      return {
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body,
        json: () => JSON.parse(response.body),
      };
    },
    async close() {
      await app.close();
      if (!options.database) await db.drop();
      await responseChecks.assertAllConform();
    },
  };
}

/**
 * The usual set-up of a test file that caches in Redis, as `beforeAll`/`afterAll` of the
 * enclosing `describe`: a Redis database leased for the file, the app started on it
 * (`REDIS_URL` plus `env`), both handed to `set`; afterwards the app is closed and the database
 * released.
 */
export function useTestAppWithRedis(
  set: (started: { t: TestApp; redis: TestRedisDb }) => void,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): void {
  let started: { t: TestApp; redis: TestRedisDb } | undefined;
  beforeAll(async () => {
    const redis = await leaseRedisDb();
    started = { redis, t: await startTestApp({ REDIS_URL: redis.url, ...env }, options) };
    set(started);
  });
  afterAll(async () => {
    await started?.t.close();
    await started?.redis.release();
  });
}

export const adminHeaders = { 'x-api-key': ADMIN_KEY };
