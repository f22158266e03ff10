import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/database/data-source-options';
import { createTestDatabase, TestDatabase } from '../../utils/test-database';
import { ApiProcess, startApiProcess } from './api-process';
import { buildApi } from './build';
import { OwnRedis, startOwnRedis } from './redis-server';

/**
 * What every chaos scenario starts from: the compiled API, a database of its own (migrated,
 * empty), a redis-server of its own, and a connection to the database to seed and inspect it.
 */
export interface ChaosEnvironment {
  main: string;
  db: TestDatabase;
  redis: OwnRedis;
  dataSource: DataSource;
  /** Starts one more API process on this database and Redis (`nodeArgs` before its main module). */
  startApi(env?: Record<string, string>, databaseUrl?: string, nodeArgs?: string[]): Promise<ApiProcess>;
  /** Invalidations committed and not yet applied to Redis (rows of `cache_outbox`). */
  outboxRows(): Promise<number>;
  close(): Promise<void>;
}

export async function startChaosEnvironment(
  options: { persistentRedis?: boolean } = {},
): Promise<ChaosEnvironment> {
  const main = await buildApi();
  const db = await createTestDatabase();
  const redis = await startOwnRedis({ persistent: options.persistentRedis });
  const dataSource = new DataSource(dataSourceOptions(db.url, 2));
  await dataSource.initialize();
  const apis: ApiProcess[] = [];
  return {
    main,
    db,
    redis,
    dataSource,
    async startApi(env = {}, databaseUrl = db.url, nodeArgs = []) {
      const api = await startApiProcess({ main, databaseUrl, redisUrl: redis.url, env, nodeArgs });
      apis.push(api);
      return api;
    },
    async outboxRows() {
      const [{ count }] = await dataSource.query<{ count: string }[]>(
        'SELECT count(*) AS count FROM cache_outbox',
      );
      return Number(count);
    },
    async close() {
      await Promise.all(apis.map((api) => api.stop('SIGKILL')));
      await dataSource.destroy();
      await redis.stop();
      await db.drop();
    },
  };
}

/** `CHAOS_SECONDS` (set by `npm run chaos:* -- --seconds N`), else the CI default. */
export function chaosSeconds(ciDefault: number): number {
  const value = Number(process.env.CHAOS_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : ciDefault;
}
