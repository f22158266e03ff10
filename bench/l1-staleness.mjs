// `npm run bench:l1`: how long the other instance can serve a kit from its in-process L1 cache
// after a write to it was acknowledged by the first instance (DESIGN.md §3 / issue 5).
//
// Two API processes (A, B) with CACHE_L1_ENABLED=true on one PostgreSQL and one Redis, plus a
// third pair with L1 off as a control. For each round: both instances read the kit until it is
// in memory, A renames it (PATCH, the write is acknowledged after its invalidation reached
// Redis), then B is read back-to-back until it shows the new name. A read that *started* after
// the acknowledgement and still showed the old name is stale; the window is the time from the
// acknowledgement to the start of B's first fresh read.
//
// Environment: DATABASE_URL / REDIS_URL servers (local defaults), BENCH_L1_ROUNDS (300).
// Uses its own database (fkapi_l1_staleness, 1000 kits) and Redis database 13 (emptied).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, startChild, stopAll, waitUntilReady } from './lib/children.mjs';
import { createDatabaseIfMissing, flushBenchRedis, prepareDatabase } from './lib/data.mjs';
import { ROOT } from './lib/settings.mjs';

const ADMIN_KEY = 'l1-staleness-admin-key-0123456789';
const ROUNDS = Number(process.env.BENCH_L1_ROUNDS ?? 300);
/** Concurrent readers on B during each write. */
const READERS = 4;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 100_000)
  throw new Error(
    `BENCH_L1_ROUNDS must be a whole number from 1 to 100000, not "${process.env.BENCH_L1_ROUNDS}"`,
  );

const database = 'fkapi_l1_staleness';
const server = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const databaseUrls = {
  admin: new URL('/postgres', server).toString(),
  bench: new URL(`/${database}`, server).toString(),
};
const redisUrl = new URL('/13', process.env.REDIS_URL || 'redis://127.0.0.1:6379').toString();

async function startPair(l1) {
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrls.bench,
    REDIS_URL: redisUrl,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_HOUR: '0',
    ADMIN_API_KEY: ADMIN_KEY,
    DEMO_DATA: 'false',
    CACHE_L1_ENABLED: String(l1),
  };
  const pair = [];
  for (const name of ['A', 'B']) {
    const port = await freePort();
    const child = startChild({
      name: `${name} (L1 ${l1 ? 'on' : 'off'})`,
      script: join(ROOT, 'dist/main.js'),
      cwd: ROOT,
      port,
      env,
    });
    await waitUntilReady(child, '/api/health');
    pair.push(child);
  }
  // Give both subscriptions a moment (they are made in the background at start).
  await new Promise((resolve) => setTimeout(resolve, 300));
  return pair;
}

async function nameOf(baseUrl, id) {
  const res = await fetch(`${baseUrl}/api/kits/${id}`);
  if (res.status !== 200) throw new Error(`GET kit ${id}: ${res.status}`);
  return (await res.json()).name;
}

/** Readers hammering B while A writes: every read with its start time and what it showed. */
async function readLoop(baseUrl, id, name, reads, until) {
  while (!until.done) {
    const started = performance.now();
    const seen = await nameOf(baseUrl, id);
    reads.push({ started, fresh: seen === name });
    if (seen === name && until.acknowledged !== null && started >= until.acknowledged) return;
  }
}

async function measure([a, b], label) {
  const windows = [];
  const margins = [];
  let staleReads = 0;
  let readsAfterAck = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const id = 1 + (round % 1000);
    for (let i = 0; i < 2; i++) {
      await nameOf(a.baseUrl, id);
      await nameOf(b.baseUrl, id);
    }
    const name = `Staleness probe ${label} ${round}`;
    const reads = [];
    const until = { acknowledged: null, done: false };
    const readers = Array.from({ length: READERS }, () => readLoop(b.baseUrl, id, name, reads, until));
    const res = await fetch(`${a.baseUrl}/api/kits/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ name }),
    });
    until.acknowledged = performance.now();
    if (res.status !== 200) throw new Error(`PATCH kit ${id}: ${res.status} ${await res.text()}`);
    const timeout = setTimeout(() => (until.done = true), 5000);
    await Promise.all(readers);
    clearTimeout(timeout);
    const after = reads.filter((r) => r.started >= until.acknowledged);
    const stale = after.filter((r) => !r.fresh);
    if (after.length === 0 || !after.some((r) => r.fresh))
      throw new Error(`B never showed the write (kit ${id})`);
    readsAfterAck += after.length;
    staleReads += stale.length;
    windows.push(stale.length === 0 ? 0 : Math.max(...stale.map((r) => r.started)) - until.acknowledged);
    const staleBefore = reads.filter((r) => !r.fresh && r.started < until.acknowledged);
    if (staleBefore.length > 0)
      margins.push(until.acknowledged - Math.max(...staleBefore.map((r) => r.started)));
  }
  windows.sort((x, y) => x - y);
  margins.sort((x, y) => x - y);
  const at = (q) => windows[Math.min(windows.length - 1, Math.floor(q * windows.length))];
  const margin = margins.length ? margins[Math.floor(margins.length / 2)] : null;
  return {
    label,
    rounds: ROUNDS,
    reads: readsAfterAck,
    staleReads,
    p50: at(0.5),
    p99: at(0.99),
    max: windows.at(-1),
    margin,
  };
}

async function main() {
  await createDatabaseIfMissing({ databaseUrls, database });
  await prepareDatabase(ROOT, { databaseUrls, kits: 1000 });
  await flushBenchRedis(redisUrl);
  const results = [];
  for (const l1 of [true, false]) {
    const pair = await startPair(l1);
    results.push(await measure(pair, l1 ? 'L1 on' : 'L1 off'));
    await stopAll();
  }
  console.log(
    '\nStaleness after an acknowledged write, read on the other instance (loopback, same machine):',
  );
  console.log(
    '| instances | rounds | reads on B after the ack | stale among them | window p50 ms | window p99 ms | window max ms | last stale read before the ack, median ms |',
  );
  console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of results)
    console.log(
      `| ${r.label} | ${r.rounds} | ${r.reads} | ${r.staleReads} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(2)} | ${r.margin === null ? '—' : r.margin.toFixed(2)} |`,
    );
  console.log(
    `\n${READERS} readers hammer B during each write. Window: from the write's acknowledgement by A to the start ` +
      'of the last read on B that still showed the old value (0: none did).',
  );
}

main().catch(async (error) => {
  console.error(`bench:l1 failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
});
