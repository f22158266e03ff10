// `npm run bench`: our cached reads next to the ceiling (a constant-response NestJS + Fastify app)
// and to the stock NestJS way (`CacheInterceptor` + `@keyv/redis` + TypeORM, on Express and on
// Fastify), all measured in the same run on this machine. Prints one table and writes
// bench/results/latest.json. See docs/BENCHMARKS.md.
//
//   npm run bench            (= npm run build && node bench/run.mjs; under 5 minutes)
//
// Environment (all optional):
//   DATABASE_URL       PostgreSQL server to use (default postgres://postgres@127.0.0.1:5432/postgres);
//                      the benchmark works in its own database on it, BENCH_DATABASE (fkapi_bench),
//                      created, migrated and seeded with BENCH_KITS kits (100000) when needed
//   REDIS_URL          Redis server (default redis://127.0.0.1:6379); the database index is replaced
//                      by BENCH_REDIS_DB (14), which is emptied at start
//   BENCH_CONNECTIONS  concurrent connections (50)
//   BENCH_DURATION     measured seconds per scenario (10)
//   BENCH_WARMUP       warm-up seconds per scenario, not counted (3)
//   BENCH_ROUNDS       hot scenarios take turns in this many runs of BENCH_DURATION / BENCH_ROUNDS
//                      seconds each, each after one unmeasured second (6)
//   BENCH_PROCESSES    processes of the ceiling, the reference and each of our four configurations,
//                      taking the rounds in turn (2): one process's own speed is not the server's
//   BENCH_TOOL         auto | autocannon | wrk (auto: wrk when `wrk` runs, else autocannon)
//   BENCH_WRK          path of wrk (default: wrk on PATH)
//   BENCH_REPLICA_KITS kits of the last section, cache misses with and without a PostgreSQL
//                      replica (60000; 0 skips it): its own primary and replica, Redis database 13
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeOutput,
  freePort,
  killAllNow,
  sampleRss,
  startChild,
  stopAll,
  waitUntilReady,
} from './lib/children.mjs';
import { cpuShares, cpuSnapshot, cpuTicks, sharesOf, TICKS_PER_SECOND } from './lib/cpu.mjs';
import {
  choosePaths,
  createDatabaseIfMissing,
  fetchBody,
  flushBenchRedis,
  prepareDatabase,
  requestEach,
  serverVersion,
} from './lib/data.mjs';
import { chooseTool, createRotation, runLoad } from './lib/load.mjs';
import {
  addRatios,
  describeMachine,
  formatTable,
  gitRevision,
  readCacheCounters,
  writeJson,
} from './lib/report.mjs';
import { describeReplicaMisses, measureReplicaMisses } from './lib/replica-misses.mjs';
import { readSettings, ROOT } from './lib/settings.mjs';

const RESULTS_FILE = join(ROOT, 'bench/results/latest.json');
/** Measured seconds of each run of the replica section (two rounds of two configurations). */
const REPLICA_SECONDS = 2;
/** The Node flags `npm start` runs the API with (heap settings, README "Benchmarks"), read from package.json. */
const API_NODE_ARGS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .scripts.start.split(/\s+/)
  .filter((word) => word.startsWith('--'));
/** Share of all CPUs taken by other work above which a measurement is flagged as noisy. */
const NOISY = 0.1;
const started = Date.now();

/** Measured seconds of one run of a hot scenario. */
const roundSeconds = (settings) => Math.max(1, Math.round(settings.durationSeconds / settings.rounds));

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const say = (message) =>
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);

let stopping = false;
async function interrupted(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`\n${signal}: stopping the servers`);
  await stopAll();
  process.exit(130);
}
process.on('SIGINT', () => void interrupted('SIGINT'));
process.on('SIGTERM', () => void interrupted('SIGTERM'));
process.on('exit', killAllNow);

/** `fkapi:v1:`: where the built API keeps its entries in Redis. */
function entryPrefix() {
  const { NAMESPACE, ENTRY_VERSION } = createRequire(import.meta.url)(join(ROOT, 'dist/cache/cache-key.js'));
  return `${NAMESPACE}${ENTRY_VERSION}`;
}

function compileBenchApps() {
  say('compiling bench/ceiling and bench/peers (bench/tsconfig.json → bench/dist)');
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'bench/tsconfig.json')],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

function requireBuiltApi() {
  for (const file of [
    'dist/main.js',
    'dist/cli/main.js',
    'dist/kits/kit.entity.js',
    'dist/kits/dto/kit-detail.dto.js',
  ]) {
    if (!existsSync(join(ROOT, file)))
      throw new Error(`${file} is missing: run "npm run build" first (npm run bench does it)`);
  }
}

const sizeStats = (bodies) => {
  const sizes = bodies.map((b) => Buffer.byteLength(b));
  return {
    min: Math.min(...sizes),
    mean: Math.round((sizes.reduce((a, b) => a + b, 0) / sizes.length) * 10) / 10,
    max: Math.max(...sizes),
  };
};

/**
 * The acceptance figures, each with whether this run meets it: the shipped default (rate limit
 * on) first, then the same with the limit off.
 */
function checkTargets(results, maxRssMb) {
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));
  const ratio = (value) => `${value.toFixed(2)}×`;
  const cpu = (r) =>
    r.serverCpuMicrosPerRequest === null || byId.ceiling.serverCpuMicrosPerRequest === null
      ? ''
      : ` (server CPU per request ${r.serverCpuMicrosPerRequest.toFixed(1)} µs, ceiling ${byId.ceiling.serverCpuMicrosPerRequest.toFixed(1)} µs)`;
  const targets = [];
  for (const [suffix, config] of [
    ['', 'default (limit on)'],
    ['-nolimit', 'limit off'],
  ]) {
    const hit = byId[`ours-kit-hit${suffix}`];
    const l1 = byId[`ours-kit-hit-l1${suffix}`];
    targets.push(
      {
        met: hit.ratioToCeiling >= 0.9,
        text: `${config}, kit hit, L1 off: ${ratio(hit.ratioToCeiling)} of the ceiling (≥ 0.90×)${cpu(hit)}`,
      },
      {
        met: l1.ratioToCeiling >= 1.0,
        text: `${config}, kit hit, L1 on: ${ratio(l1.ratioToCeiling)} of the ceiling (≥ 1.00×)${cpu(l1)}`,
      },
      {
        met: hit.ratioToFastifyPeer >= 1.2,
        text: `${config}, kit hit, L1 off: ${ratio(hit.ratioToFastifyPeer)} the Fastify peer (≥ 1.2×)`,
      },
      {
        met: hit.ratioToExpressPeer >= 4,
        text: `${config}, kit hit, L1 off: ${ratio(hit.ratioToExpressPeer)} the Express peer (≥ 4×)`,
      },
    );
  }
  targets.push({
    met: maxRssMb * 1.048576 < 250,
    text: `RSS of the API processes: max ${(maxRssMb * 1.048576).toFixed(0)} MB (< 250 MB)`,
  });
  return targets;
}

/** The RSS reports of several processes of one configuration: the largest, phase by phase. */
function combineRss(reports) {
  const byPhaseMb = {};
  for (const report of reports)
    for (const [phase, mb] of Object.entries(report.byPhaseMb))
      byPhaseMb[phase] = Math.max(byPhaseMb[phase] ?? 0, mb);
  const maxima = reports.map((report) => report.maxMb).filter((mb) => mb !== null);
  return {
    maxMb: maxima.length > 0 ? Math.max(...maxima) : null,
    processes: reports.length,
    byPhaseMb,
    intervalMs: reports[0].intervalMs,
  };
}

function sameJson(a, b) {
  return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
}

async function main() {
  const settings = readSettings();
  requireBuiltApi();
  const tool = chooseTool(settings);
  compileBenchApps();
  const machine = describeMachine();
  const git = gitRevision(ROOT);
  say(
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryMb} MiB, Node ${machine.node}, ${machine.os}`,
  );
  say(
    `load: ${tool.name} ${tool.version}, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per scenario`,
  );

  say(`database ${settings.database}: create, migrate, seed if needed`);
  await createDatabaseIfMissing(settings);
  await prepareDatabase(ROOT, settings);
  const postgresVersion = await serverVersion(settings.databaseUrls.bench);
  const redisVersion = await flushBenchRedis(settings.redisUrl);
  say(`PostgreSQL ${postgresVersion}; Redis ${redisVersion}, database ${settings.redisDb} emptied`);

  const [expressPort, fastifyPort] = await Promise.all([freePort(), freePort()]);
  // Each server compared with the ceiling runs as `settings.processes` processes that take the
  // rounds in turn (docs/BENCHMARKS.md, "Scenarios"): on this machine one process keeps its own
  // speed for its whole life, up to a tenth away from another process of the same program.
  const copies = async (start) => {
    const handles = [];
    for (let i = 0; i < settings.processes; i++) handles.push(start(await freePort(), i));
    return handles;
  };
  const copyName = (name, i) => (settings.processes > 1 ? `${name} #${i + 1}` : name);
  const shared = { ...process.env, DATABASE_URL: settings.databaseUrls.bench, REDIS_URL: settings.redisUrl };
  // Set explicitly so a local .env cannot change what is measured.
  const oursEnv = {
    ...shared,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // The shipped default: the per-IP limit on (set where this run cannot reach it). The
    // limit-off processes below are measured beside it, never instead of it.
    RATE_LIMIT_PER_HOUR: '1000000000',
    API_AUTH_ENABLED: 'false',
    DEMO_DATA: 'false',
    CORS_ORIGINS: '',
    TRUST_PROXY: 'false',
    DATABASE_POOL_SIZE: '10',
    CACHE_TTL_SECONDS: '3600',
    CACHE_L1_ENABLED: 'false',
  };
  const oursAll = await copies((port, i) =>
    startChild({
      name: copyName('our API', i),
      script: join(ROOT, 'dist/main.js'),
      nodeArgs: API_NODE_ARGS,
      cwd: ROOT,
      port,
      env: oursEnv,
    }),
  );
  // The same with the in-process L1 cache, on the same PostgreSQL and Redis.
  const oursL1All = await copies((port, i) =>
    startChild({
      name: copyName('our API with L1', i),
      script: join(ROOT, 'dist/main.js'),
      nodeArgs: API_NODE_ARGS,
      cwd: ROOT,
      port,
      env: { ...oursEnv, CACHE_L1_ENABLED: 'true', CACHE_L1_MAX_ENTRIES: '10000', CACHE_L1_TTL_MS: '5000' },
    }),
  );
  // Both again with the rate limit off (RATE_LIMIT_PER_HOUR=0), the second row of each.
  const noLimit = { ...oursEnv, RATE_LIMIT_PER_HOUR: '0' };
  const oursNoLimitAll = await copies((port, i) =>
    startChild({
      name: copyName('our API, limit off', i),
      script: join(ROOT, 'dist/main.js'),
      nodeArgs: API_NODE_ARGS,
      cwd: ROOT,
      port,
      env: noLimit,
    }),
  );
  const oursL1NoLimitAll = await copies((port, i) =>
    startChild({
      name: copyName('our API with L1, limit off', i),
      script: join(ROOT, 'dist/main.js'),
      nodeArgs: API_NODE_ARGS,
      cwd: ROOT,
      port,
      env: { ...noLimit, CACHE_L1_ENABLED: 'true', CACHE_L1_MAX_ENTRIES: '10000', CACHE_L1_TTL_MS: '5000' },
    }),
  );
  const [ours] = oursAll;
  const rss = [...oursAll, ...oursNoLimitAll].map((handle) => sampleRss(handle.pid));
  const rssL1 = [...oursL1All, ...oursL1NoLimitAll].map((handle) => sampleRss(handle.pid));
  const allOurs = [...oursAll, ...oursL1All, ...oursNoLimitAll, ...oursL1NoLimitAll];
  const express = startChild({
    name: 'Express peer',
    script: join(ROOT, 'bench/dist/peers/express-main.js'),
    cwd: ROOT,
    port: expressPort,
    env: shared,
  });
  const fastify = startChild({
    name: 'Fastify peer',
    script: join(ROOT, 'bench/dist/peers/fastify-main.js'),
    cwd: ROOT,
    port: fastifyPort,
    env: shared,
  });
  for (const handle of allOurs) await waitUntilReady(handle, '/api/health');
  say(`our API ready on ${ours.baseUrl} (pid ${ours.pid}); reading kit bodies to choose the hot set`);

  const paths = await choosePaths(settings.databaseUrls.bench, ours.baseUrl);
  const ceilings = await copies((port, i) =>
    startChild({
      name: copyName('ceiling', i),
      script: join(ROOT, 'bench/dist/ceiling/main.js'),
      cwd: ROOT,
      port,
      env: { ...process.env, KIT_BODY: paths.ceilingBody },
    }),
  );
  // Reads the kits our API has just cached (choosing the hot set read them).
  const redisGets = await copies((port, i) =>
    startChild({
      name: copyName('Redis GET reference', i),
      script: join(ROOT, 'bench/dist/ceiling/redis-get.js'),
      cwd: ROOT,
      port,
      // Where our API's entries are: `fkapi:` and the cache schema version (src/cache/cache-key.ts).
      env: { ...process.env, REDIS_URL: settings.redisUrl, ENTRY_PREFIX: entryPrefix() },
    }),
  );
  const [ceiling] = ceilings;
  const probe = paths.hotKitPaths[0];
  await Promise.all(
    [...ceilings, ...redisGets, express, fastify].map((handle) => waitUntilReady(handle, probe)),
  );
  say('ceiling and peers ready');

  // Same bytes: the ceiling's constant is one of our bodies; the peers must answer our JSON.
  const ceilingBody = await fetchBody(ceiling.baseUrl, probe);
  const oursBodies = await requestEach(ours.baseUrl, paths.hotKitPaths);
  const expressBodies = await requestEach(express.baseUrl, paths.hotKitPaths);
  const fastifyBodies = await requestEach(fastify.baseUrl, paths.hotKitPaths);
  const peersDiffer = paths.hotKitPaths.filter(
    (_, i) => !sameJson(oursBodies[i], expressBodies[i]) || !sameJson(oursBodies[i], fastifyBodies[i]),
  );
  const bodies = {
    ceilingBytes: Buffer.byteLength(ceilingBody),
    ceilingIsOneOfOurs: ceilingBody === paths.ceilingBody,
    oursKitDetailBytes: sizeStats(oursBodies),
    expressPeerBytes: sizeStats(expressBodies),
    fastifyPeerBytes: sizeStats(fastifyBodies),
    peersAnswerOurJson: peersDiffer.length === 0,
  };
  const o = bodies.oursKitDetailBytes;
  say(
    `body bytes: ceiling ${bodies.ceilingBytes}; ours (100 hot kits) min ${o.min} / mean ${o.mean} / max ${o.max}`,
  );
  if (peersDiffer.length > 0)
    say(
      `WARNING: the peers' JSON differs from ours for ${peersDiffer.length} of 100 kits (first: ${peersDiffer[0]})`,
    );

  const scenarios = [
    {
      id: 'ceiling',
      label: 'ceiling: constant kit JSON (NestJS + Fastify)',
      servers: ceilings,
      paths: paths.hotKitPaths,
    },
    {
      id: 'reference-redis-get',
      label: 'reference: bare Node http + one Redis GET',
      servers: redisGets,
      paths: paths.hotKitPaths,
    },
    {
      id: 'peer-express',
      label: 'stock peer, Express: kit detail, warm',
      servers: [express],
      paths: paths.hotKitPaths,
    },
    {
      id: 'peer-fastify',
      label: 'stock peer, Fastify: kit detail, warm',
      servers: [fastify],
      paths: paths.hotKitPaths,
    },
    {
      id: 'ours-kit-hit-l1',
      label: 'ours, hit: kit detail, L1 on',
      servers: oursL1All,
      paths: paths.hotKitPaths,
    },
    { id: 'ours-kit-hit', label: 'ours, hit: kit detail', servers: oursAll, paths: paths.hotKitPaths },
    {
      id: 'ours-kit-hit-l1-nolimit',
      label: 'ours, limit off, hit: kit detail, L1 on',
      servers: oursL1NoLimitAll,
      paths: paths.hotKitPaths,
    },
    {
      id: 'ours-kit-hit-nolimit',
      label: 'ours, limit off, hit: kit detail',
      servers: oursNoLimitAll,
      paths: paths.hotKitPaths,
    },
    { id: 'ours-search-hit', label: 'ours, hit: club search', servers: oursAll, paths: paths.searchPaths },
    { id: 'ours-list-hit', label: 'ours, hit: kit list by club', servers: oursAll, paths: paths.listPaths },
    {
      id: 'ours-kit-miss',
      label: 'ours, miss: kit detail, each id once',
      servers: [ours],
      paths: paths.missKitPaths,
      cold: true,
    },
  ];

  const serverPids = [...allOurs, express, fastify, ...ceilings, ...redisGets].map((handle) => handle.pid);
  const idleStart = cpuSnapshot(serverPids);
  await sleep(2000);
  const idle = cpuShares(idleStart, cpuSnapshot(serverPids));
  if (idle.busy !== null) {
    const note = idle.other > NOISY ? ' — WARNING: something else is running, the numbers will be noisy' : '';
    say(
      `CPU busy with every server idle: ${(idle.busy * 100).toFixed(0)} %, ` +
        `${(idle.other * 100).toFixed(0)} % by other processes${note}`,
    );
  }

  // Hot scenarios are measured in rounds, taking turns (DESIGN of the benchmark in
  // docs/BENCHMARKS.md): this machine's speed drifts by a third within a minute, so measuring
  // each scenario in one block would compare different machines. Each round moves the order on
  // by one, and each turn starts with one unmeasured second. A scenario served by several
  // processes gives round r to process r mod n.
  const hot = scenarios.filter((scenario) => !scenario.cold);
  const cold = scenarios.filter((scenario) => scenario.cold);
  const tally = new Map();
  const check = (server) => {
    if (server.exited) throw new Error(`${server.name} exited (${server.exitCode})${describeOutput(server)}`);
  };
  const ourProcesses = new Set(allOurs);
  const counted = (server) => ourProcesses.has(server);
  const warmupEach = (scenario) =>
    settings.warmupSeconds > 0
      ? Math.max(1, Math.round(settings.warmupSeconds / scenario.servers.length))
      : 0;
  for (const scenario of hot) {
    const rotation = createRotation(scenario.paths);
    const entry = newTally();
    for (const server of scenario.servers) {
      check(server);
      // Every path requested once first, so the measured runs find them cached.
      await requestEach(server.baseUrl, scenario.paths);
      const load = { baseUrl: server.baseUrl, rotation, connections: settings.connections };
      if (warmupEach(scenario) > 0) await runLoad(tool, { ...load, seconds: warmupEach(scenario) });
      entry.byServer.set(server, { load, requests: 0, seconds: 0, runs: [] });
    }
    tally.set(scenario.id, entry);
  }
  say(
    `warmed up; measuring ${hot.length} scenarios in ${settings.rounds} rounds of ${roundSeconds(settings)} s each` +
      (settings.processes > 1
        ? `, the rounds of the ceiling, the reference and ours shared by ${settings.processes} processes each`
        : ''),
  );
  for (let round = 0; round < settings.rounds; round++) {
    for (let turn = 0; turn < hot.length; turn++) {
      const scenario = hot[(round + turn) % hot.length];
      const server = scenario.servers[round % scenario.servers.length];
      check(server);
      const entry = tally.get(scenario.id);
      await runLoad(tool, { ...entry.byServer.get(server).load, seconds: 1 });
      await measureRun(scenario, server, entry, roundSeconds(settings));
    }
  }
  for (const scenario of cold) {
    const [server] = scenario.servers;
    check(server);
    const rotation = createRotation(scenario.paths);
    const load = { baseUrl: server.baseUrl, rotation, connections: settings.connections };
    if (settings.warmupSeconds > 0) await runLoad(tool, { ...load, seconds: settings.warmupSeconds });
    const entry = newTally();
    entry.byServer.set(server, { load, requests: 0, seconds: 0, runs: [] });
    tally.set(scenario.id, entry);
    await measureRun(scenario, server, entry, settings.durationSeconds);
  }

  const results = [];
  for (const scenario of scenarios) {
    const entry = tally.get(scenario.id);
    const processes = [...entry.byServer].map(([server, one]) => ({
      name: server.name,
      pid: server.pid,
      requestsPerSecond: one.seconds > 0 ? one.requests / one.seconds : null,
      runs: one.runs,
    }));
    const measuredProcesses = processes.filter((one) => one.requestsPerSecond !== null);
    const isOurs = counted(scenario.servers[0]);
    const result = {
      id: scenario.id,
      label: scenario.label,
      distinctPaths: scenario.paths.length,
      requests: entry.requests,
      seconds: entry.seconds,
      // Each process weighs the same, whatever number of rounds it took.
      requestsPerSecond:
        measuredProcesses.reduce((sum, one) => sum + one.requestsPerSecond, 0) / measuredProcesses.length,
      // Medians of the runs' own percentiles.
      p50Ms: median(entry.p50s),
      p99Ms: median(entry.p99s),
      runs: entry.runs,
      processes,
      non2xx: entry.non2xx,
      errors: entry.errors,
      timeouts: entry.timeouts,
      cacheHitRatio: entry.lookups > 0 ? entry.hits / entry.lookups : null,
      cacheLookups: isOurs ? entry.lookups : null,
      // Share of the lookups the L1 answered from process memory (0 without L1).
      memoryHitRatio: entry.lookups > 0 ? entry.memoryHits / entry.lookups : null,
      // CPU time of the server process per request it answered (user + system, microseconds).
      serverCpuMicrosPerRequest:
        entry.requests > 0 ? (entry.serverTicks / TICKS_PER_SECOND / entry.requests) * 1e6 : null,
      // Share of all CPUs used during the measured runs, in all and by processes other than the
      // benchmark's (runner and load generator, servers, PostgreSQL, Redis).
      cpuBusy: entry.ticks.total > 0 ? sharesOf(entry.ticks).busy : null,
      otherCpu: entry.ticks.total > 0 ? sharesOf(entry.ticks).other : null,
      // The miss scenario must never come back to an id it has already requested (and so cached).
      ...(scenario.cold
        ? { pathsWrapped: entry.byServer.get(scenario.servers[0]).load.rotation.next > scenario.paths.length }
        : {}),
    };
    results.push(result);
    const problems =
      result.non2xx + result.errors > 0 ? `  (${result.non2xx} non-2xx, ${result.errors} errors!)` : '';
    const noise =
      result.otherCpu > NOISY
        ? `  (other processes used ${(result.otherCpu * 100).toFixed(0)} % of the CPUs: noisy)`
        : '';
    const runs =
      processes.length > 1
        ? processes.map((one, i) => `#${i + 1}: ${one.runs.map((r) => r.toFixed(0)).join(', ')}`).join('; ')
        : processes[0].runs.map((r) => r.toFixed(0)).join(', ');
    say(
      `${scenario.label} [${scenario.paths.length} paths]: ${result.requestsPerSecond.toFixed(0)} req/s ` +
        `(runs: ${runs}), ` +
        `p50 ${result.p50Ms?.toFixed(2)} ms, p99 ${result.p99Ms?.toFixed(2)} ms, ` +
        `server CPU ${result.serverCpuMicrosPerRequest?.toFixed(1)} µs/request` +
        (result.cacheHitRatio === null ? '' : `, cache hits ${(result.cacheHitRatio * 100).toFixed(1)} %`) +
        ([...oursL1All, ...oursL1NoLimitAll].includes(scenario.servers[0])
          ? `, from L1 memory ${(result.memoryHitRatio * 100).toFixed(1)} %`
          : '') +
        problems +
        noise,
    );
  }

  function newTally() {
    return {
      byServer: new Map(),
      requests: 0,
      seconds: 0,
      runs: [],
      p50s: [],
      p99s: [],
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      lookups: 0,
      hits: 0,
      memoryHits: 0,
      serverTicks: 0,
      ticks: { total: 0, busy: 0, other: 0 },
    };
  }

  async function measureRun(scenario, server, entry, seconds) {
    for (const sampler of [...rss, ...rssL1]) sampler.mark(scenario.id);
    const before = counted(server) ? await readCacheCounters(server.baseUrl) : null;
    const cpuBefore = cpuSnapshot(serverPids);
    const one = entry.byServer.get(server);
    const measured = await runLoad(tool, { ...one.load, seconds });
    const ticks = cpuTicks(cpuBefore, cpuSnapshot(serverPids));
    const after = counted(server) ? await readCacheCounters(server.baseUrl) : null;
    one.requests += measured.requests;
    one.seconds += measured.seconds;
    one.runs.push(measured.requestsPerSecond);
    entry.requests += measured.requests;
    entry.seconds += measured.seconds;
    entry.runs.push(measured.requestsPerSecond);
    if (measured.p50Ms !== null) entry.p50s.push(measured.p50Ms);
    if (measured.p99Ms !== null) entry.p99s.push(measured.p99Ms);
    entry.non2xx += measured.non2xx;
    entry.errors += measured.errors;
    entry.timeouts += measured.timeouts;
    if (before && after) {
      entry.hits += after.hits - before.hits;
      entry.lookups += after.hits - before.hits + (after.misses - before.misses);
      entry.memoryHits += after.memoryHits - before.memoryHits;
    }
    if (ticks) {
      entry.ticks.total += ticks.total;
      entry.ticks.busy += ticks.busy;
      entry.ticks.other += ticks.other;
      entry.serverTicks += ticks.servers.get(String(server.pid)) ?? 0;
    }
  }
  const rssReport = combineRss(rss.map((sampler) => sampler.stop()));
  const rssL1Report = combineRss(rssL1.map((sampler) => sampler.stop()));
  addRatios(results);
  await stopAll();
  let replicaMisses = null;
  if (settings.replicaKits > 0) {
    say(`replica: misses with and without a PostgreSQL streaming replica (${settings.replicaKits} kits)`);
    replicaMisses = await measureReplicaMisses({
      kits: settings.replicaKits,
      connections: settings.connections,
      seconds: REPLICA_SECONDS,
      rounds: 2,
      redisUrl: settings.replicaRedisUrl,
      tool,
    });
  }

  const miss = results.find((r) => r.id === 'ours-kit-miss');
  console.log('');
  console.log(
    `FKApi benchmark — ${new Date().toISOString()} — commit ${git.commit}${git.dirty ? ' (with uncommitted changes)' : ''}`,
  );
  console.log(
    `${machine.cpu} × ${machine.cores}, ${machine.memoryMb} MiB, Node ${machine.node}, PostgreSQL ${postgresVersion}, Redis ${redisVersion}`,
  );
  console.log(
    `${tool.name} ${tool.version}: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up excluded, ` +
      `${settings.durationSeconds} s measured per scenario (hits: ${settings.rounds} interleaved runs of ${roundSeconds(settings)} s` +
      `${settings.processes > 1 ? `, shared by ${settings.processes} processes of the ceiling, the reference and ours` : ''}); ${settings.kits} kits` +
      (idle.other === null
        ? ''
        : `; other processes ${(idle.other * 100).toFixed(0)} % CPU before the first scenario`),
  );
  console.log('');
  console.log(formatTable(results));
  console.log('');
  console.log(
    `Hot sets: kit detail ${paths.hotKitPaths.length} ids, club search ${paths.searchPaths.length} keywords, ` +
      `kit list ${paths.listPaths.length} club pages, requested in rotation after one priming pass.`,
  );
  console.log(
    `Miss: ${paths.missKitPaths.length} kit ids in a fixed shuffled order, each requested at most once ` +
      `(${miss.pathsWrapped ? 'WRAPPED: some ids were requested twice' : 'none repeated'}), so every request is a cache miss.`,
  );
  console.log(
    `Bodies: ceiling ${bodies.ceilingBytes} B; ours ${o.min}–${o.max} B (mean ${o.mean}); ` +
      `peers answer the same JSON as ours: ${bodies.peersAnswerOurJson ? 'yes' : 'NO'}.`,
  );
  console.log(
    `Our API's RSS: max ${rssReport.maxMb?.toFixed(0) ?? '—'} MiB over the run, ` +
      `${rssL1Report.maxMb?.toFixed(0) ?? '—'} MiB with L1 (the largest of ${rssReport.processes} processes each; VmRSS every ${rssReport.intervalMs} ms).`,
  );
  const targets = checkTargets(results, Math.max(rssReport.maxMb ?? 0, rssL1Report.maxMb ?? 0));
  console.log('');
  console.log('Issue 5 targets (ratios from this run):');
  for (const target of targets) console.log(`  ${target.met ? 'met ' : 'MISS'}  ${target.text}`);

  if (replicaMisses) console.log(`\n${describeReplicaMisses(replicaMisses, tool.name)}`);

  const noisy = results.filter((r) => r.otherCpu > NOISY);
  if (noisy.length > 0)
    console.log(
      `NOISY: other processes used more than ${NOISY * 100} % of the CPUs during ${noisy.map((r) => r.id).join(', ')}; run again on a quiet machine.`,
    );
  const failed = results.filter((r) => r.non2xx + r.errors > 0);
  writeJson(RESULTS_FILE, {
    date: new Date().toISOString(),
    git,
    machine,
    versions: { postgres: postgresVersion, redis: redisVersion },
    // Shares of the CPUs busy while every server sat idle, just before the first scenario.
    idleCpu: idle,
    tool,
    settings: {
      connections: settings.connections,
      warmupSeconds: settings.warmupSeconds,
      durationSeconds: settings.durationSeconds,
      rounds: settings.rounds,
      processes: settings.processes,
      kits: settings.kits,
      database: settings.database,
      redisDb: settings.redisDb,
    },
    bodies,
    scenarios: results,
    oursRss: rssReport,
    oursL1Rss: rssL1Report,
    targets,
    replicaMisses,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
  });
  console.log(
    `\nWritten to ${RESULTS_FILE.slice(ROOT.length)} (${Math.round((Date.now() - started) / 1000)} s in all).`,
  );
  if (failed.length > 0) {
    console.error(`FAILED: non-2xx answers or socket errors in ${failed.map((r) => r.id).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch(async (error) => {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
});
