// What `npm run bench` reads from the environment, with the defaults of a local run.
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A whole number from the environment within [min, max], `fallback` when unset; else it throws. */
export function integer(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return value;
}

/** The server of DATABASE_URL, on the benchmark's own database. */
function databaseUrls(serverUrl, database) {
  const bench = new URL(serverUrl);
  bench.pathname = `/${database}`;
  const admin = new URL(serverUrl);
  if (admin.pathname === `/${database}` || admin.pathname === '/' || admin.pathname === '')
    admin.pathname = '/postgres';
  return { bench: bench.toString(), admin: admin.toString() };
}

function redisUrl(serverUrl, db) {
  const url = new URL(serverUrl);
  url.pathname = `/${db}`;
  return url.toString();
}

export function readSettings() {
  const database = process.env.BENCH_DATABASE ?? 'fkapi_bench';
  // 14: test/utils/redis-db.ts leases 1–11 to test files and keeps 13–15 for the benchmarks
  // (bench/invalidation.mjs uses 15). This run empties it at start.
  const redisDb = integer('BENCH_REDIS_DB', 14, 0, 15);
  const tool = process.env.BENCH_TOOL ?? 'auto';
  if (!['auto', 'autocannon', 'wrk'].includes(tool))
    throw new Error(`BENCH_TOOL must be auto, autocannon or wrk, not "${tool}"`);
  return {
    database,
    databaseUrls: databaseUrls(
      process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
      database,
    ),
    redisDb,
    redisUrl: redisUrl(process.env.REDIS_URL || 'redis://127.0.0.1:6379', redisDb),
    kits: integer('BENCH_KITS', 100_000, 1000, 5_000_000),
    connections: integer('BENCH_CONNECTIONS', 50, 1, 10_000),
    durationSeconds: integer('BENCH_DURATION', 10, 1, 600),
    warmupSeconds: integer('BENCH_WARMUP', 3, 0, 600),
    rounds: integer('BENCH_ROUNDS', 6, 1, 100),
    processes: integer('BENCH_PROCESSES', 2, 1, 4),
    tool,
    wrk: process.env.BENCH_WRK ?? 'wrk',
    // The replica section at the end (bench/lib/replica-misses.mjs): 0 kits skip it.
    replicaKits: integer('BENCH_REPLICA_KITS', 60_000, 0, 10_000_000),
    replicaRedisUrl: redisUrl(process.env.REDIS_URL || 'redis://127.0.0.1:6379', 13),
  };
}
