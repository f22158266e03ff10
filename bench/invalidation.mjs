// Time to invalidate one kit with 1k, 10k, 100k and 1M cached entries in Redis: our tag index
// (one Lua call, cost ∝ entries affected) next to the original's KEYS-pattern deletion (cost ∝
// keyspace). Prints both series and the 1M/1k ratio of each.
//
//   npm run build && node bench/invalidation.mjs
//
// Environment: REDIS_URL (default redis://127.0.0.1:6379), BENCH_REDIS_DB (default 15) and
// BENCH_REF_REDIS_DB (default 13): databases of their own — only the benchmark's keys are deleted,
// never FLUSHDB; BENCH_SIZES (comma list, default 1000,10000,100000,1000000), BENCH_RUNS (default
// 50), BENCH_PATTERN_RUNS (KEYS runs per size, default 50, at most 10 from 100k entries: each one
// blocks Redis for the whole scan).
//
// A shared machine's load drifts over the minutes the fill takes, so each size's runs alternate
// with runs on a 1k-entry reference kept in the other database: the ratio printed compares
// medians taken at the same time. The series measured alone is printed too.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Registry } = require('prom-client');
const { RedisCacheStore } = require('../dist/cache/redis-cache.store.js');
const { createRedisClient } = require('../dist/cache/redis-client.js');
const { generateCacheKey } = require('../dist/cache/cache-key.js');
const { kitChangeTags } = require('../dist/cache/cache-tags.js');
const { CacheMetrics } = require('../dist/metrics/cache-metrics.js');

const urlOf = (db) => {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${db}`;
  return url.toString();
};
const baseUrl = urlOf(process.env.BENCH_REDIS_DB ?? '15');
const refUrl = urlOf(process.env.BENCH_REF_REDIS_DB ?? '13');
const REFERENCE_SIZE = 1000;
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const PATTERN_RUNS = Number(process.env.BENCH_PATTERN_RUNS ?? 50);
const FILL_CONCURRENCY = 2000;

// The catalogue the entries describe: entry i is kit i's detail, tagged with the kit and its
// club (club ⌊i/10⌋: 10 kits per club), so one kit change (kitChangeTags: the kit, its club, its
// season, the kit list and search families) deletes the 10 entries of its club at every size.
// BENCH_SEASON_FANOUT=n also tags each entry with its season (season ⌊i/n⌋), the seed's
// cascade to "every entry containing the season": a kit change then deletes n entries.
const SEASON_FANOUT = Number(process.env.BENCH_SEASON_FANOUT ?? 0);
const CLUB_SIZE = 10;
const clubOf = (i) => Math.floor(i / CLUB_SIZE);
const seasonOf = (i) => (SEASON_FANOUT > 0 ? Math.floor(i / SEASON_FANOUT) : 0);
/** The entries one kit's invalidation removes: its club's or, with seasons, its season's. */
const groupOf = (i) => {
  const width = Math.max(CLUB_SIZE, SEASON_FANOUT);
  const first = Math.floor(i / width) * width;
  return [first, first + width];
};
const entryOf = (i) => ({
  key: generateCacheKey('kit', [i]),
  value: JSON.stringify({ id: i, name: `Kit ${i}`, team: { id: clubOf(i) }, season: { id: seasonOf(i) } }),
  ttlSeconds: 3600,
  cacheType: 'kit',
  tags: [`kit:${i}`, `club:${clubOf(i)}`, ...(SEASON_FANOUT > 0 ? [`season:${seasonOf(i)}`] : [])],
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function fill(store, from, to) {
  const sequence = await store.readSequence();
  for (let start = from; start < to; start += FILL_CONCURRENCY) {
    const batch = [];
    // Issued in one tick, node-redis pipelines them: FILL_CONCURRENCY scripts per round trip.
    for (let i = start; i < Math.min(to, start + FILL_CONCURRENCY); i++)
      batch.push(store.setWithTags(entryOf(i), sequence));
    const stored = await Promise.all(batch);
    if (stored.includes(false)) throw new Error('a fill set was refused');
  }
}

/** The original's `invalidate_kit_cache` + `_invalidate_kit_related`: 9 patterns, each a KEYS scan and a DEL. */
async function invalidateKitByPatterns(client, kitId, clubId, seasonId) {
  const patterns = [
    `kit_${kitId}_*`,
    `search_kit_${kitId}_*`,
    `club_${clubId}_*`,
    `season_club_${clubId}_*`,
    `kit_club_${clubId}_*`,
    `search_club_${clubId}_*`,
    `season_${seasonId}_*`,
    `kit_season_${seasonId}_*`,
    `search_season_${seasonId}_*`,
  ];
  for (const pattern of patterns) {
    const keys = await client.keys(`fkapi:${pattern}`);
    if (keys.length > 0) await client.del(keys);
  }
}

function pickKits(size, count) {
  const kits = [];
  for (let n = 0; n < count; n++) kits.push(Math.floor(Math.random() * size));
  return kits;
}

const WARM_UP_RUNS = 10;

/** One timed kit invalidation, then the refill of what it removed, so every run sees `size` entries. */
async function invalidateOneKit(store, size) {
  const kit = Math.floor(Math.random() * size);
  const tags = kitChangeTags({ id: kit, teamId: clubOf(kit), seasonId: seasonOf(kit) }, undefined);
  const started = performance.now();
  await store.invalidateTags(tags);
  const elapsed = performance.now() - started;
  const [first, end] = groupOf(kit);
  await fill(store, first, Math.min(size, end));
  return elapsed;
}

/** Medians of RUNS invalidations at `size`, alternating with the 1k reference (after an untimed warm-up). */
async function measureTagIndex(store, size, reference) {
  const times = [];
  const referenceTimes = [];
  for (let n = 0; n < WARM_UP_RUNS + RUNS; n++) {
    const t = await invalidateOneKit(store, size);
    const r = await invalidateOneKit(reference, REFERENCE_SIZE);
    if (n >= WARM_UP_RUNS) {
      times.push(t);
      referenceTimes.push(r);
    }
  }
  return { median: median(times), referenceMedian: median(referenceTimes) };
}

async function measurePatterns(client, store, size) {
  const runs = size >= 100_000 ? Math.min(PATTERN_RUNS, 10) : PATTERN_RUNS;
  const times = [];
  for (const kit of pickKits(size, runs)) {
    const started = performance.now();
    await invalidateKitByPatterns(client, kit, clubOf(kit), seasonOf(kit));
    times.push(performance.now() - started);
  }
  return { median: median(times), runs };
}

async function openStore(url) {
  // Long timeouts and a tolerant breaker: the KEYS runs block Redis for a long time.
  const store = new RedisCacheStore(createRedisClient(url, 60_000), new CacheMetrics(new Registry()), {
    commandTimeoutMs: 60_000,
    failureThreshold: 1000,
    clearBatchSize: 5000,
  });
  await store.start(5000);
  if (!store.serving) throw new Error(`Redis at ${url} is not reachable`);
  const inspector = createRedisClient(url, 60_000);
  await inspector.connect();
  const cleanUp = async () => {
    await store.clearNamespace();
    // Bookkeeping the clear keeps on purpose (race safety); the benchmark removes its own.
    let cursor = '0';
    const markers = [];
    do {
      const reply = await inspector.scan(cursor, { MATCH: 'fkapi:inv:*', COUNT: 10_000 });
      cursor = reply.cursor;
      markers.push(...reply.keys);
    } while (cursor !== '0');
    for (let i = 0; i < markers.length; i += 1000) await inspector.unlink(markers.slice(i, i + 1000));
    await inspector.unlink(['fkapi:types']);
  };
  const close = async () => {
    await inspector.close();
    await store.close();
  };
  return { store, inspector, cleanUp, close };
}

async function main() {
  const main = await openStore(baseUrl);
  const ref = await openStore(refUrl);
  console.log(
    `Redis ${baseUrl} (reference: ${refUrl}); median of ${RUNS} kit invalidations per size; ` +
      `each deletes ${Math.max(CLUB_SIZE, SEASON_FANOUT)} entries` +
      (SEASON_FANOUT > 0 ? ` (season fan-out ${SEASON_FANOUT})` : ' (its club’s)'),
  );
  await main.cleanUp();
  await ref.cleanUp();
  await fill(ref.store, 0, REFERENCE_SIZE);
  const rows = [];
  let filled = 0;
  try {
    for (const size of SIZES) {
      const started = performance.now();
      await fill(main.store, filled, size);
      filled = size;
      const fillSeconds = ((performance.now() - started) / 1000).toFixed(1);
      const dbsize = await main.inspector.dbSize();
      const tagIndex = await measureTagIndex(main.store, size, ref.store);
      const pattern = await measurePatterns(main.inspector, main.store, size);
      rows.push({ size, ...tagIndex, patternMs: pattern.median });
      console.log(
        `${String(size).padStart(8)} entries (${dbsize} Redis keys, filled in ${fillSeconds}s): ` +
          `tag index ${tagIndex.median.toFixed(3)} ms (1k reference meanwhile ${tagIndex.referenceMedian.toFixed(3)} ms) | ` +
          `KEYS patterns ${pattern.median.toFixed(1)} ms (median of ${pattern.runs})`,
      );
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (rows.length > 1) {
      const sameTime = last.median / last.referenceMedian;
      console.log(
        `ratio ${last.size}/${first.size}: tag index ${sameTime.toFixed(2)}x against the 1k reference measured alongside ` +
          `(${(last.median / first.median).toFixed(2)}x against the 1k row) | KEYS patterns ${(last.patternMs / first.patternMs).toFixed(1)}x`,
      );
      const verdict = last.median <= 2 && sameTime < 2 ? 'met' : 'NOT met';
      console.log(`target (median ≤ 2 ms at ${last.size}, ratio < 2): ${verdict}`);
    }
  } finally {
    if (process.env.BENCH_KEEP !== '1') {
      console.log('cleaning up the benchmark keys …');
      await main.cleanUp();
      await ref.cleanUp();
    }
    await main.close();
    await ref.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
