// `npm run bench:cluster`: the cache on a Redis Cluster, measured in one run (issue "Scale out on
// real engines"): how the entries of the warmed benchmark catalogue spread over the masters (none
// may hold more than half of them) and what invalidating one kit costs (median ≤ 2 ms), next to
// the same invalidation on a single Redis. Starts its own cluster of 3 masters with one replica
// each (bench/lib/redis-cluster.mjs) and one API process on it, warms the catalogue through the
// API, counts the entries on each master, then times `invalidateTags(kitChangeTags(…))` of kits
// the API has just cached, from a cache store of its own. Then the same on the single Redis.
// Prints a table and writes bench/results/cluster-latest.json; exit code 1 when a target is missed.
//
// Environment (all optional):
//   DATABASE_URL        PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres); the
//                       benchmark's database on it, BENCH_DATABASE (fkapi_bench), is created,
//                       migrated and seeded when needed, as `npm run bench` does
//   BENCH_CLUSTER_KITS  kits seeded (default BENCH_KITS, 100000: the catalogue of `npm run bench`)
//   BENCH_CLUSTER_RUNS  kits invalidated and timed on each Redis (200)
//   REDIS_URL           the single Redis compared (default redis://127.0.0.1:6379); its database
//                       index is replaced by BENCH_REDIS_DB (13), emptied before and after its run
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, killAllNow, startChild, stopAll, waitUntilReady } from './lib/children.mjs';
import { readCatalogue, warmPaths } from './lib/cluster-catalogue.mjs';
import { formatReport } from './lib/cluster-report.mjs';
import { createDatabaseIfMissing, flushBenchRedis, prepareDatabase, requestEach } from './lib/data.mjs';
import { startRedisCluster } from './lib/redis-cluster.mjs';
import { describeMachine, gitRevision, writeJson } from './lib/report.mjs';
import { integer, readSettings, ROOT } from './lib/settings.mjs';

const require = createRequire(import.meta.url);
const { createClient } = require('redis');
const { Registry } = require('prom-client');
const { RedisCacheStore } = require('../dist/cache/redis-cache.store.js');
const { createRedisClient, createRedisClusterClient } = require('../dist/redis/redis-client.js');
const { clusterConnection, RedisConnection } = require('../dist/redis/redis-connection.js');
const { entryKey, ENTRY_VERSION, NAMESPACE } = require('../dist/cache/cache-key.js');
const { kitChangeTags } = require('../dist/kits/kit.invalidation.js');
const { CacheMetrics } = require('../dist/metrics/cache-metrics.js');
const { loadConfig } = require('../dist/config/app-config.js');

const RUNS = integer('BENCH_CLUSTER_RUNS', 200, 1, 100_000);
const REDIS_DB = integer('BENCH_REDIS_DB', 13, 0, 15);
/** Unmeasured invalidations first: each master loads the script, the kit families go once. */
const WARM_UP_RUNS = 5;
const WARM_CONCURRENCY = 16;
/** Paths per `requestEach` call: the bodies of one call are kept until it returns. */
const WARM_CHUNK = 2000;
const COMMAND_TIMEOUT_MS = 1000;
const TARGET_SHARE = 0.5;
const TARGET_MEDIAN_MS = 2;
const RESULTS_FILE = join(ROOT, 'bench/results/cluster-latest.json');
/** The Node flags `npm start` runs the API with, read from package.json (as bench/run.mjs does). */
const API_NODE_ARGS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .scripts.start.split(/\s+/)
  .filter((word) => word.startsWith('--'));
const started = Date.now();
const say = (message) =>
  console.log(`[cluster ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    // The cluster's nodes go with the process (bench/lib/redis-cluster.mjs).
    void stopAll().then(() => process.exit(130));
  });

const median = (sorted) => {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];

/**
 * Each kit: read through the API (cached again if an earlier invalidation dropped it), then its
 * change invalidated with the timer on. The kit's detail entry must be there before and gone after.
 */
async function timeInvalidations(api, store, kits) {
  const times = [];
  const deleted = [];
  for (const [n, kit] of kits.entries()) {
    await requestEach(api.baseUrl, [`/api/kits/${kit.id}`, `/api/clubs/${kit.teamId}/kits`], 2);
    const detail = store.redisKeyOf(entryKey('kit', [kit.id]));
    if ((await store.connection.client.exists(detail)) !== 1)
      throw new Error(`kit ${kit.id}: its detail ${detail} is not cached after reading it`);
    const tags = kitChangeTags(kit, kit);
    const begun = performance.now();
    const result = await store.invalidateTags(tags);
    const elapsed = performance.now() - begun;
    if (result.deleted < 1 || (await store.connection.client.exists(detail)) !== 0)
      throw new Error(`kit ${kit.id}: the invalidation deleted ${result.deleted}, its detail left`);
    if (n >= WARM_UP_RUNS) {
      times.push(elapsed);
      deleted.push(result.deleted);
    }
  }
  times.sort((a, b) => a - b);
  deleted.sort((a, b) => a - b);
  return {
    runs: times.length,
    medianMs: median(times),
    p95Ms: percentile(times, 0.95),
    maxMs: times.at(-1),
    deleted: { min: deleted[0], median: median(deleted), max: deleted.at(-1) },
    scriptsPerInvalidation: store.indexes.length,
  };
}

/** The invalidations timed from a cache store of the bench's own on `connection`. */
async function timeThrough(name, connection, api, kits) {
  const store = new RedisCacheStore(connection, new CacheMetrics(new Registry()), {
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
  });
  await connection.open(10_000);
  try {
    if (!store.serving) throw new Error(`the bench's cache store on ${name} is not serving`);
    const invalidation = await timeInvalidations(api, store, kits);
    say(`${name}: ${invalidation.runs} invalidations, median ${invalidation.medianMs.toFixed(3)} ms`);
    return invalidation;
  } finally {
    await connection.close();
  }
}

/** One API process on `target`: warm the catalogue, count its entries, time the invalidations. */
async function measure(target, paths, kits) {
  const api = startChild({
    name: `API on ${target.name}`,
    script: join(ROOT, 'dist/main.js'),
    nodeArgs: API_NODE_ARGS,
    cwd: ROOT,
    port: await freePort(),
    env: { ...target.apiEnv, ...target.env },
  });
  try {
    await waitUntilReady(api, '/api/health');
    const begun = performance.now();
    for (let i = 0; i < paths.length; i += WARM_CHUNK)
      await requestEach(api.baseUrl, paths.slice(i, i + WARM_CHUNK), WARM_CONCURRENCY);
    const seconds = (performance.now() - begun) / 1000;
    say(`${target.name}: warmed, ${paths.length} requests in ${seconds.toFixed(1)} s`);
    const entries = await target.countEntries();
    const invalidation = await timeThrough(target.name, target.connect(), api, kits);
    const withoutAcks =
      target.connectWithoutAcks &&
      (await timeThrough(`${target.name} without replica acks`, target.connectWithoutAcks(), api, kits));
    return {
      warm: { requests: paths.length, seconds },
      entries,
      invalidation,
      ...(withoutAcks ? { invalidationWithoutReplicaAcks: withoutAcks } : {}),
    };
  } finally {
    await stopAll();
  }
}

/** Entries of a single Redis database (keys `fkapi:v1:…`), by SCAN. */
async function countSingle(url) {
  const client = createClient({ url });
  await client.connect();
  try {
    let count = 0;
    for await (const batch of client.scanIterator({ MATCH: `${NAMESPACE}${ENTRY_VERSION}*`, COUNT: 1000 }))
      count += batch.length;
    return { total: count, version: /redis_version:(\S+)/.exec(await client.info('server'))?.[1] };
  } finally {
    await client.close();
  }
}

async function main() {
  if (!existsSync(join(ROOT, 'dist/main.js'))) throw new Error('run `npm run build` first');
  const settings = readSettings();
  const kitCount = integer('BENCH_CLUSTER_KITS', settings.kits, 1, 10_000_000);
  const machine = describeMachine();
  say(`${machine.cpu} × ${machine.cores}, Node ${machine.node}; ${kitCount} kits, ${RUNS} timed runs`);
  await createDatabaseIfMissing(settings);
  await prepareDatabase(ROOT, { databaseUrls: settings.databaseUrls, kits: kitCount });
  const catalogue = await readCatalogue(settings.databaseUrls.bench);
  const warm = warmPaths(catalogue);
  // Distinct kits spread over the catalogue, the same in every run.
  const step = catalogue.kits.length / (WARM_UP_RUNS + RUNS);
  const kits = Array.from({ length: WARM_UP_RUNS + RUNS }, (_, i) => catalogue.kits[Math.floor(i * step)]);
  const shippedLimit = loadConfig({ DATABASE_URL: settings.databaseUrls.bench }).rateLimitPerHour;
  const apiEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    LOG_REQUESTS: 'false',
    DEMO_DATA: 'false',
    DATABASE_URL: settings.databaseUrls.bench,
    REDIS_URL: '',
    CACHE_L1_ENABLED: 'false',
    // The rate limit on, at its shipped default (set explicitly so a local .env cannot change it),
    // with the bench's own address exempt: the warm-up alone sends far more than that in an hour.
    RATE_LIMIT_PER_HOUR: String(shippedLimit),
    RATE_LIMIT_WHITELIST: '127.0.0.1',
  };
  const entryPattern = new RegExp(`^${NAMESPACE}\\{\\d+\\}:${ENTRY_VERSION}`);

  say('starting a Redis Cluster: 3 masters, 1 replica each');
  const cluster = await startRedisCluster({ masters: 3, replicas: 1 });
  let onCluster;
  try {
    onCluster = await measure(
      {
        name: 'Redis Cluster',
        apiEnv,
        env: { REDIS_CLUSTER_NODES: cluster.nodesEnv },
        // As shipped: every invalidation waits for a replica of its master (WAIT 1).
        connect: () =>
          clusterConnection(createRedisClusterClient(cluster.addresses, COMMAND_TIMEOUT_MS), {
            commandTimeoutMs: COMMAND_TIMEOUT_MS,
          }),
        // REDIS_CLUSTER_REPLICA_ACKS=false, reported beside the default: what the WAIT costs.
        connectWithoutAcks: () =>
          clusterConnection(createRedisClusterClient(cluster.addresses, COMMAND_TIMEOUT_MS), {
            commandTimeoutMs: COMMAND_TIMEOUT_MS,
            clusterReplicaAcks: false,
          }),
        // Entries only: tag sets, type sets and sequences (`fkapi:{n}:tag:…`, …) are left out.
        countEntries: async () => {
          const masters = await cluster.countPerMaster(`${NAMESPACE}{*}:${ENTRY_VERSION}*`, (key) =>
            entryPattern.test(key),
          );
          const total = masters.reduce((sum, master) => sum + master.count, 0);
          for (const master of masters) master.share = master.count / total;
          return { total, masters, maxShare: Math.max(...masters.map((master) => master.share)) };
        },
      },
      warm.paths,
      kits,
    );
  } finally {
    await cluster.stop();
  }

  const singleUrl = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  singleUrl.pathname = `/${REDIS_DB}`;
  await flushBenchRedis(singleUrl.toString());
  let onSingle;
  try {
    onSingle = await measure(
      {
        name: 'single Redis',
        apiEnv,
        env: { REDIS_URL: singleUrl.toString() },
        connect: () =>
          new RedisConnection(createRedisClient(singleUrl.toString(), COMMAND_TIMEOUT_MS), {
            commandTimeoutMs: COMMAND_TIMEOUT_MS,
            database: REDIS_DB,
          }),
        countEntries: () => countSingle(singleUrl.toString()),
      },
      warm.paths,
      kits,
    );
  } finally {
    await flushBenchRedis(singleUrl.toString());
  }

  const targets = [
    {
      met: onCluster.entries.maxShare <= TARGET_SHARE,
      text: `no master holds more than 50 % of the entries: max ${(onCluster.entries.maxShare * 100).toFixed(1)} %`,
    },
    {
      met: onCluster.invalidation.medianMs <= TARGET_MEDIAN_MS,
      text: `invalidating one kit on the cluster ≤ ${TARGET_MEDIAN_MS} ms median: ${onCluster.invalidation.medianMs.toFixed(3)} ms`,
    },
  ];
  const result = {
    date: new Date().toISOString(),
    git: gitRevision(ROOT),
    machine,
    versions: { redis: onSingle.entries.version },
    settings: {
      kits: kitCount,
      database: settings.database,
      runs: RUNS,
      warmUpInvalidations: WARM_UP_RUNS,
      warmUp: warm.counts,
      warmConcurrency: WARM_CONCURRENCY,
      cluster: '3 masters, 1 replica each',
      singleRedis: `${singleUrl.host} database ${REDIS_DB}`,
      rateLimit: `on as shipped (RATE_LIMIT_PER_HOUR ${shippedLimit}, the default), 127.0.0.1 whitelisted (RATE_LIMIT_WHITELIST)`,
    },
    cluster: onCluster,
    single: onSingle,
    targets,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
  };
  console.log(`\n${formatReport(result)}`);
  writeJson(RESULTS_FILE, result);
  console.log(`\nWritten to ${RESULTS_FILE.slice(ROOT.length)} (${result.elapsedSeconds} s in all).`);
  if (targets.some((target) => !target.met)) process.exitCode = 1;
}

main().catch(async (error) => {
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
});
