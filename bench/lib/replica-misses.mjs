// Cache-miss throughput of our API with and without a PostgreSQL streaming replica
// (DATABASE_REPLICA_URLS), on one machine: used by `npm run bench` (a short run at its end) and
// `npm run bench:replica` (a longer one). Starts its own PostgreSQL 15 primary and replica (initdb,
// pg_basebackup -R; as `postgres` when run as root) on free loopback ports in a temporary
// directory, seeds the primary, and measures kit detail misses (every path requested once, so
// every request is a miss) against one API process per configuration, taking turns. Primary and
// replica share the same CPUs here, so the ratio shows what the routing costs, not what a second
// server gains. See docs/SCALING.md.
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, startChild, stopAll, waitUntilReady } from './children.mjs';
import { flushBenchRedis, prepareDatabase } from './data.mjs';
import { createRotation, runLoad } from './load.mjs';
import { ROOT } from './settings.mjs';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

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

/**
 * Kit detail misses per second, primary only and with the replica, `rounds` runs of `seconds`
 * each per configuration taken in turn. `redisUrl` names the Redis database to use (emptied
 * before each run). Throws when a run would request a kit twice (raise `kits`).
 */
export async function measureReplicaMisses({
  kits,
  connections,
  seconds,
  rounds,
  redisUrl,
  tool,
  env: extra = {},
}) {
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'fkapi-bench-replica-'));
  let pair;
  try {
    pair = await startPair(dir);
    await prepareDatabase(ROOT, { databaseUrls: { bench: pair.primaryUrl }, kits });
    await waitForCatchUp(pair);
    const ids = (await query(pair.primaryUrl, 'SELECT id::text AS id FROM kits ORDER BY random()')).map(
      (r) => r.id,
    );
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false',
      DEMO_DATA: 'false',
      // The shipped default: the per-IP limit on (set where this run cannot reach it).
      RATE_LIMIT_PER_HOUR: '1000000000',
      DATABASE_URL: pair.primaryUrl,
      REDIS_URL: redisUrl,
      ...extra,
    };
    const configurations = [
      { name: 'primary only', env },
      { name: 'with replica', env: { ...env, DATABASE_REPLICA_URLS: pair.replicaUrl } },
    ];
    const results = new Map(configurations.map((c) => [c.name, { requests: 0, seconds: 0, reads: null }]));
    const runs = [];
    let offset = 0;
    for (let round = 0; round < rounds; round++) {
      for (const configuration of configurations) {
        await flushBenchRedis(redisUrl);
        const api = startChild({
          name: configuration.name,
          script: join(ROOT, 'dist/main.js'),
          cwd: ROOT,
          port: await freePort(),
          env: configuration.env,
        });
        await waitUntilReady(api, '/api/health');
        // Paths not requested before in this run: every request is a cache miss.
        const rotation = createRotation(
          ids.slice(offset).map((id) => `/api/kits/${id}`),
          { exact: true },
        );
        if (rotation.paths.length === 0)
          throw new Error(`not enough kits for every request to miss: raise the kits`);
        await runLoad(tool, { baseUrl: api.baseUrl, rotation, connections, seconds: 1 });
        const measured = await runLoad(tool, { baseUrl: api.baseUrl, rotation, connections, seconds });
        // `next` is an upper bound of the paths taken (wrk threads count apart).
        if (rotation.next > rotation.paths.length)
          throw new Error(`not enough kits for every request to miss: raise the kits (${kits})`);
        offset += rotation.next;
        const total = results.get(configuration.name);
        total.requests += measured.requests;
        total.seconds += measured.seconds;
        if (configuration.env.DATABASE_REPLICA_URLS) total.reads = await readsByTarget(api.baseUrl);
        runs.push({ configuration: configuration.name, round: round + 1, ...measured });
        await stopAll();
      }
    }
    const rate = (name) => results.get(name).requests / results.get(name).seconds;
    return {
      kits,
      connections,
      seconds,
      rounds,
      primaryOnly: rate('primary only'),
      withReplica: rate('with replica'),
      ratio: rate('with replica') / rate('primary only'),
      reads: results.get('with replica').reads,
      runs,
    };
  } finally {
    await stopAll();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report's lines for a result of `measureReplicaMisses`. */
export function describeReplicaMisses(result, toolName) {
  return (
    `kit detail misses, ${result.kits} kits, ${result.connections} connections, ` +
    `${result.rounds} × ${result.seconds} s each (${toolName}), rate limit on:\n` +
    `  primary only: ${Math.round(result.primaryOnly)} misses/s\n` +
    `  with replica: ${Math.round(result.withReplica)} misses/s (${result.ratio.toFixed(2)}x; last run's reads: ` +
    `${result.reads.replica} replica, ${result.reads.primary} primary)`
  );
}
