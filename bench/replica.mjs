// `npm run bench:replica`: cache-miss throughput of our API with and without a PostgreSQL streaming
// replica (DATABASE_REPLICA_URLS), on one machine. Starts its own PostgreSQL 15 primary and replica
// (initdb, pg_basebackup -R; as `postgres` when run as root) on free loopback ports in a temporary
// directory, seeds the primary, and measures kit detail misses (every path requested once, so
// every request is a miss) against one API process per configuration, taking turns. Primary and
// replica share the same CPUs here, so the ratio shows what the routing costs, not what a second
// server gains. See docs/SCALING.md.
//
// Environment (all optional):
//   REDIS_URL              Redis server (default redis://127.0.0.1:6379); the database index is
//                          replaced by BENCH_REDIS_DB (13), emptied before each run
//   BENCH_REPLICA_KITS     kits seeded (30000)
//   BENCH_CONNECTIONS      concurrent connections (32)
//   BENCH_DURATION         measured seconds per run (8)
//   BENCH_ROUNDS           runs per configuration, taken in turn (2)
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, killAllNow, startChild, stopAll, waitUntilReady } from './lib/children.mjs';
import { flushBenchRedis, prepareDatabase } from './lib/data.mjs';
import { chooseTool, createRotation, runLoad } from './lib/load.mjs';
import { integer, ROOT } from './lib/settings.mjs';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const KITS = integer('BENCH_REPLICA_KITS', 30000, 1, 10_000_000);
const CONNECTIONS = integer('BENCH_CONNECTIONS', 32, 1, 10_000);
const DURATION = integer('BENCH_DURATION', 8, 1, 3600);
const ROUNDS = integer('BENCH_ROUNDS', 2, 1, 100);
const REDIS_DB = integer('BENCH_REDIS_DB', 13, 0, 15);

async function asPostgres(binary, args) {
  const asRoot = userInfo().uid === 0;
  const command = asRoot ? 'runuser' : join(BIN, binary);
  const prefix = asRoot ? ['-u', 'postgres', '--', join(BIN, binary)] : [];
  await run(command, [...prefix, ...args], { timeout: 300_000 });
}

async function query(url, sql, params = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A primary and its streaming replica, both with the settings of test/utils/pg-replication.ts. */
async function startPair(dir) {
  if (userInfo().uid === 0) {
    const id = async (flag) => Number((await run('id', [flag, 'postgres'])).stdout);
    chownSync(dir, await id('-u'), await id('-g'));
  }
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const settings = (port) =>
    `\nport = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\n` +
    `fsync = off\nshared_buffers = 64MB\nmax_connections = 100\nhot_standby_feedback = on\n`;
  const primaryDir = join(dir, 'primary');
  const replicaDir = join(dir, 'replica');
  await asPostgres('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  appendFileSync(join(primaryDir, 'postgresql.conf'), settings(primaryPort));
  await asPostgres('pg_ctl', ['start', '-w', '-D', primaryDir, '-l', join(primaryDir, 'server.log')]);
  await query(`postgres://postgres@127.0.0.1:${primaryPort}/postgres`, 'CREATE DATABASE fkapi');
  await asPostgres('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
    ...['-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
  ]);
  appendFileSync(join(replicaDir, 'postgresql.conf'), settings(replicaPort));
  await asPostgres('pg_ctl', ['start', '-w', '-D', replicaDir, '-l', join(replicaDir, 'server.log')]);
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/fkapi`,
    replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/fkapi`,
    stop: async () => {
      for (const dataDir of [replicaDir, primaryDir])
        await asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-D', dataDir]).catch(() => undefined);
    },
  };
}

async function waitForCatchUp({ primaryUrl, replicaUrl }) {
  const [{ lsn }] = await query(primaryUrl, 'SELECT pg_current_wal_lsn()::text AS lsn');
  for (;;) {
    const [{ behind }] = await query(replicaUrl, 'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind', [
      lsn,
    ]);
    if (behind === false) return;
    await sleep(100);
  }
}

/** `fkapi_db_reads_total` of one API process, summed by target. */
async function readsByTarget(baseUrl) {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out = { replica: 0, primary: 0 };
  for (const [, target, value] of text.matchAll(/^fkapi_db_reads_total\{target="(\w+)"[^}]*\} (\S+)$/gm))
    out[target] += Number(value);
  return out;
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('run `npm run build` first');
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redisUrl.pathname = `/${REDIS_DB}`;
  const dir = mkdtempSync(join(tmpdir(), 'fkapi-bench-replica-'));
  let pair;
  try {
    pair = await startPair(dir);
    await prepareDatabase(ROOT, { databaseUrls: { bench: pair.primaryUrl }, kits: KITS });
    await waitForCatchUp(pair);
    const ids = (await query(pair.primaryUrl, 'SELECT id::text AS id FROM kits ORDER BY random()')).map(
      (r) => r.id,
    );
    const tool = chooseTool({ tool: process.env.BENCH_TOOL ?? 'auto', wrk: process.env.BENCH_WRK ?? 'wrk' });
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false',
      DEMO_DATA: 'false',
      RATE_LIMIT_PER_HOUR: '0',
      DATABASE_URL: pair.primaryUrl,
      REDIS_URL: redisUrl.toString(),
    };
    const configurations = [
      { name: 'primary only', env },
      { name: 'with replica', env: { ...env, DATABASE_REPLICA_URLS: pair.replicaUrl } },
    ];
    const results = new Map(configurations.map((c) => [c.name, { requests: 0, seconds: 0, reads: null }]));
    let offset = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const configuration of configurations) {
        await flushBenchRedis(redisUrl.toString());
        const api = startChild({
          name: configuration.name,
          script: join(ROOT, 'dist/main.js'),
          cwd: ROOT,
          port: await freePort(),
          env: configuration.env,
        });
        await waitUntilReady(api, '/api/health');
        // Paths not requested before in this run: every request is a cache miss.
        const rotation = createRotation(ids.slice(offset).map((id) => `/api/kits/${id}`));
        await runLoad(tool, { baseUrl: api.baseUrl, rotation, connections: CONNECTIONS, seconds: 1 });
        const measured = await runLoad(tool, {
          baseUrl: api.baseUrl,
          rotation,
          connections: CONNECTIONS,
          seconds: DURATION,
        });
        offset += rotation.next;
        if (offset >= ids.length)
          throw new Error(`not enough kits for every request to miss: raise BENCH_REPLICA_KITS`);
        const total = results.get(configuration.name);
        total.requests += measured.requests;
        total.seconds += measured.seconds;
        if (configuration.env.DATABASE_REPLICA_URLS) total.reads = await readsByTarget(api.baseUrl);
        console.log(
          `${configuration.name}, round ${round + 1}: ${Math.round(measured.requestsPerSecond)} misses/s, ` +
            `p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, non-2xx ${measured.non2xx}`,
        );
        await stopAll();
      }
    }
    const rate = (name) => results.get(name).requests / results.get(name).seconds;
    const reads = results.get('with replica').reads;
    console.log(
      `\nkit detail misses, ${KITS} kits, ${CONNECTIONS} connections, ${ROUNDS} × ${DURATION} s each (${tool.name}):\n` +
        `  primary only: ${Math.round(rate('primary only'))} misses/s\n` +
        `  with replica: ${Math.round(rate('with replica'))} misses/s ` +
        `(${(rate('with replica') / rate('primary only')).toFixed(2)}x; last run's reads: ` +
        `${reads.replica} replica, ${reads.primary} primary)`,
    );
  } finally {
    killAllNow();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
