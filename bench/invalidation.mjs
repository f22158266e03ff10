// Time to invalidate one kit, as the invalidation subscriber does it, with 1k, 100k and 1M cached
// entries in Redis and 1, 10 or 100 entries affected by the change: our tag index (one Lua call,
// cost ∝ entries affected) next to the original's KEYS-pattern deletion (cost ∝ keyspace), run in
// a database of its own that holds only the entries (its DBSIZE is printed beside it).
//
//   npm run build && node bench/invalidation.mjs
//
// Environment: REDIS_URL (default redis://127.0.0.1:6379), BENCH_REDIS_DB (default 15, the tag
// index) and BENCH_KEYS_REDIS_DB (default 13, the KEYS baseline): databases of their own — only
// the benchmark's keys are deleted, never FLUSHDB; BENCH_SIZES (comma list, default
// 1000,100000,1000000), BENCH_FANOUTS (default 1,10,100), BENCH_RUNS (default 50), BENCH_KEYS_RUNS
// (KEYS runs per size and fan-out, default 20, at most 5 from 100k entries: each run blocks Redis
// for nine whole scans).
//
// Every timed invalidation's `deleted` count is checked against the entries the fill put under
// the changed kit's tags; a mismatch stops the benchmark (exit code 1).
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Registry } = require('prom-client');
const { RedisCacheStore } = require('../dist/cache/redis-cache.store.js');
const { createRedisClient } = require('../dist/redis/redis-client.js');
const { RedisConnection } = require('../dist/redis/redis-connection.js');
const { generateCacheKey } = require('../dist/cache/cache-key.js');
const { Tag, Family } = require('../dist/cache/cache-tags.js');
const { kitChangeTags } = require('../dist/kits/kit.invalidation.js');
const { CacheMetrics } = require('../dist/metrics/cache-metrics.js');

const urlOf = (db) => {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${db}`;
  return url.toString();
};
const tagIndexUrl = urlOf(process.env.BENCH_REDIS_DB ?? '15');
const keysUrl = urlOf(process.env.BENCH_KEYS_REDIS_DB ?? '13');
const SIZES = (process.env.BENCH_SIZES ?? '1000,100000,1000000').split(',').map(Number);
const FANOUTS = (process.env.BENCH_FANOUTS ?? '1,10,100').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const KEYS_RUNS = Number(process.env.BENCH_KEYS_RUNS ?? 20);
const WARM_UP_RUNS = 5;
const FILL_CONCURRENCY = 2000;

// The catalogue the entries describe. Clubs come in blocks of KITS_PER_CLUB kits, each kit with
// its detail entry (tagged as `KitsService.getKit` tags it: kit, club, season, type, brand,
// competition, colours). A club's kits all belong to one season of its own. Next to the details,
// each club has cached entries that list its kits — club kits pages (`club_kits:<club>` and the
// kits on them) and season-filtered ones (also `season_kits:<season>`) — and the whole fill has
// kit lists (`kits:list`), kit searches (`search`, `search:kits`) and bulk answers (`kits:bulk`).
//
// A kit change invalidates `kitChangeTags`: the kit's detail, every entry listing its club's or
// its season's kits, and every list, search and bulk answer. The affected count is therefore
// 1 + the club's listing entries + the family entries cached at the time. Three club shapes,
// round-robin, give the fan-outs measured; the family entries cached are those of the fan-out
// being measured (none at fan-out 1: the state right after a kit change, before any list is
// asked again — the best case, named as such).
const KITS_PER_CLUB = 10;
const SHAPES = {
  1: { clubPages: 0, seasonPages: 0, lists: 0, searches: 0, bulks: 0 },
  10: { clubPages: 3, seasonPages: 1, lists: 2, searches: 2, bulks: 1 },
  100: { clubPages: 20, seasonPages: 9, lists: 40, searches: 20, bulks: 10 },
};
const SHAPE_ORDER = [1, 10, 100];
const clubEntries = (shape) => shape.clubPages + shape.seasonPages;
const familyEntries = (shape) => shape.lists + shape.searches + shape.bulks;
const affected = (shape) => 1 + clubEntries(shape) + familyEntries(shape);
for (const fanout of SHAPE_ORDER) {
  if (affected(SHAPES[fanout]) !== fanout)
    throw new Error(`shape ${fanout} affects ${affected(SHAPES[fanout])}`);
}

/** The clubs of a fill of about `size` entries: club c has shape SHAPE_ORDER[c % 3]. */
function layout(size) {
  const clubs = [];
  let entries = 0;
  for (let c = 0; ; c++) {
    const shape = SHAPES[SHAPE_ORDER[c % SHAPE_ORDER.length]];
    const clubSize = KITS_PER_CLUB + clubEntries(shape);
    if (entries + clubSize > size && clubs.length >= SHAPE_ORDER.length) break;
    clubs.push({ id: c, fanout: SHAPE_ORDER[c % SHAPE_ORDER.length], shape });
    entries += clubSize;
  }
  return { clubs, entries };
}

const kitsOf = (club) => Array.from({ length: KITS_PER_CLUB }, (_, k) => club.id * KITS_PER_CLUB + k);
const seasonOf = (clubId) => clubId;
const page = (ids) => JSON.stringify(ids.map((id) => ({ id, name: `Kit ${id}` })));

/** A kit's detail entry, tagged as production tags it. */
function kitDetail(kit, clubId) {
  return {
    key: generateCacheKey('kit', [kit]),
    value: JSON.stringify({
      id: kit,
      name: `Kit ${kit}`,
      team: { id: clubId },
      season: { id: seasonOf(clubId) },
    }),
    ttlSeconds: 3600,
    cacheType: 'kit',
    tags: [
      Tag.kit(kit),
      Tag.club(clubId),
      Tag.season(seasonOf(clubId)),
      Tag.kitType(kit % 5),
      Tag.brand(kit % 50),
      Tag.competition(clubId % 30),
      Tag.color(kit % 12),
    ],
  };
}

/** The entries listing a club's kits: pages of the club, then pages filtered by its season. */
function clubListings(club) {
  const kits = kitsOf(club);
  const entries = [];
  for (let p = 0; p < club.shape.clubPages; p++) {
    entries.push({
      key: generateCacheKey('kit_club', [club.id], { season: null, page: p + 1, page_size: 20 }),
      value: page(kits),
      ttlSeconds: 3600,
      cacheType: 'kit',
      tags: [Tag.clubKits(club.id), ...kits.map((k) => Tag.kit(k))],
    });
  }
  for (let p = 0; p < club.shape.seasonPages; p++) {
    entries.push({
      key: generateCacheKey('kit_club', [club.id], { season: seasonOf(club.id), page: p + 1, page_size: 20 }),
      value: page(kits),
      ttlSeconds: 3600,
      cacheType: 'kit',
      tags: [Tag.clubKits(club.id), Tag.seasonKits(seasonOf(club.id)), ...kits.map((k) => Tag.kit(k))],
    });
  }
  return entries;
}

/** The kit lists, searches and bulk answers cached while `shape` is measured, over kits 0..kitCount. */
function familyEntriesOf(shape, kitCount) {
  const some = (seed, n) => Array.from({ length: n }, (_, k) => (seed * 7919 + k * 104_729) % kitCount);
  const entries = [];
  for (let p = 0; p < shape.lists; p++) {
    const kits = some(p, 20);
    entries.push({
      key: generateCacheKey('kits', [], { page: p + 1, page_size: 20 }),
      value: page(kits),
      ttlSeconds: 3600,
      cacheType: 'kit',
      tags: [Family.kitsList, ...kits.map((k) => Tag.kit(k))],
    });
  }
  for (let s = 0; s < shape.searches; s++) {
    const kits = some(1000 + s, 5);
    entries.push({
      key: generateCacheKey('search_kits', [`word${s}`]),
      value: page(kits),
      ttlSeconds: 3600,
      cacheType: 'search',
      tags: [Family.search, Family.searchKits, ...kits.map((k) => Tag.kit(k))],
    });
  }
  for (let b = 0; b < shape.bulks; b++) {
    const kits = some(2000 + b, 3);
    const clubOfKit = (k) => Math.floor(k / KITS_PER_CLUB);
    entries.push({
      key: generateCacheKey('kits_bulk', [kits.map((k) => `kit-${k}`)]),
      value: page(kits),
      ttlSeconds: 3600,
      cacheType: 'kit',
      tags: [
        Family.kitsBulk,
        ...kits.flatMap((k) => [
          Tag.kit(k),
          Tag.club(clubOfKit(k)),
          Tag.season(seasonOf(clubOfKit(k))),
          Tag.brand(k % 50),
        ]),
      ],
    });
  }
  return entries;
}

function clubEntriesOf(club) {
  return [...kitsOf(club).map((kit) => kitDetail(kit, club.id)), ...clubListings(club)];
}

async function setAll(store, entries) {
  if (entries.length === 0) return;
  // The sequence of the first entry's shard group: on the single Redis this benchmark uses there is
  // one group, so it is every entry's sequence (on a cluster each group has its own).
  const sequence = await store.readSequence(entries[0].key);
  for (let start = 0; start < entries.length; start += FILL_CONCURRENCY) {
    // Issued in one tick, node-redis pipelines them: FILL_CONCURRENCY scripts per round trip.
    const stored = await Promise.all(
      entries.slice(start, start + FILL_CONCURRENCY).map((entry) => store.setWithTags(entry, sequence)),
    );
    if (stored.includes(false)) throw new Error('a fill set was refused');
  }
}

async function fillClubs(store, clubs) {
  for (let c = 0; c < clubs.length; c += 200)
    await setAll(store, clubs.slice(c, c + 200).flatMap(clubEntriesOf));
}

// The original's key names for the KEYS baseline: the patterns of its `invalidate_kit_cache` and
// `_invalidate_kit_related` find the kit's detail and its club's and season's listings; its kit
// lists, searches and bulk answers carry no kit, club or season in their names (the original left
// them stale), so the patterns never find them.
function originalKeys(club) {
  const keys = kitsOf(club).map((kit) => `fkapi:kit_${kit}_detail`);
  for (let p = 0; p < club.shape.clubPages; p++) keys.push(`fkapi:club_${club.id}_kits_page_${p + 1}`);
  for (let p = 0; p < club.shape.seasonPages; p++)
    keys.push(`fkapi:season_club_${club.id}_${seasonOf(club.id)}_page_${p + 1}`);
  return keys;
}
function originalFamilyKeys(shape) {
  return [
    ...Array.from({ length: shape.lists }, (_, p) => `fkapi:kits_list_page_${p + 1}`),
    ...Array.from({ length: shape.searches }, (_, s) => `fkapi:search_kits_word${s}`),
    ...Array.from({ length: shape.bulks }, (_, b) => `fkapi:kits_bulk_${b}`),
  ];
}

async function msetAll(client, keys) {
  for (let i = 0; i < keys.length; i += 10_000) {
    const chunk = keys.slice(i, i + 10_000);
    await client.mSet(chunk.map((key) => [key, JSON.stringify({ key })]));
  }
}

/** The original's kit invalidation: 9 patterns, each a KEYS scan and a DEL. Returns the keys deleted. */
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
  let deleted = 0;
  for (const pattern of patterns) {
    const keys = await client.keys(`fkapi:${pattern}`);
    if (keys.length > 0) deleted += await client.del(keys);
  }
  return deleted;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const pick = (items) => items[Math.floor(Math.random() * items.length)];

function fail(message) {
  throw new Error(`ASSERTION FAILED: ${message}`);
}

/** RUNS timed kit changes on clubs of this fan-out; each run's deletions are refilled untimed. */
async function measureTagIndex(store, clubs, fanout, kitCount) {
  const shape = SHAPES[fanout];
  const families = familyEntriesOf(shape, kitCount);
  await setAll(store, families);
  const candidates = clubs.filter((club) => club.fanout === fanout);
  const times = [];
  for (let n = 0; n < WARM_UP_RUNS + RUNS; n++) {
    const club = pick(candidates);
    const kit = pick(kitsOf(club));
    const keys = { id: kit, teamId: club.id, seasonId: seasonOf(club.id) };
    const tags = kitChangeTags(keys, keys);
    const started = performance.now();
    const { deleted } = await store.invalidateTags(tags);
    const elapsed = performance.now() - started;
    if (deleted !== fanout)
      fail(`tag index: kit ${kit} of club ${club.id} deleted ${deleted}, expected ${fanout}`);
    if (n >= WARM_UP_RUNS) times.push(elapsed);
    await setAll(store, [
      kitDetail(kit, club.id),
      ...clubListings(club),
      ...familyEntriesOf(shape, kitCount),
    ]);
  }
  // The next fan-out caches its own families: these go (untimed).
  if (families.length > 0) {
    const { deleted } = await store.invalidateTags([Family.kitsList, Family.searchKits, Family.kitsBulk]);
    if (deleted !== families.length) fail(`family clean-up deleted ${deleted}, expected ${families.length}`);
  }
  return median(times);
}

async function measurePatterns(client, clubs, fanout, size) {
  const shape = SHAPES[fanout];
  const familyKeys = originalFamilyKeys(shape);
  await msetAll(client, familyKeys);
  const expected = fanout - familyEntries(shape);
  const candidates = clubs.filter((club) => club.fanout === fanout);
  const runs = size >= 100_000 ? Math.min(KEYS_RUNS, 5) : KEYS_RUNS;
  const times = [];
  for (let n = 0; n < runs; n++) {
    const club = pick(candidates);
    const kit = pick(kitsOf(club));
    const started = performance.now();
    const deleted = await invalidateKitByPatterns(client, kit, club.id, seasonOf(club.id));
    times.push(performance.now() - started);
    if (deleted !== expected)
      fail(`KEYS: kit ${kit} of club ${club.id} deleted ${deleted}, expected ${expected}`);
    // Refill what went, so every run scans the same keyspace.
    const removed = originalKeys(club).filter(
      (key) => !/^fkapi:kit_\d+_detail$/.test(key) || key === `fkapi:kit_${kit}_detail`,
    );
    await msetAll(client, removed);
  }
  const dbsize = await client.dbSize();
  if (familyKeys.length > 0) await client.del(familyKeys);
  return { median: median(times), runs, expected, dbsize };
}

async function openStore(url) {
  // Long timeouts and a tolerant breaker: a 1M fill keeps Redis busy.
  const connection = new RedisConnection(createRedisClient(url, 60_000), { commandTimeoutMs: 60_000 });
  const store = new RedisCacheStore(connection, new CacheMetrics(new Registry()), {
    commandTimeoutMs: 60_000,
    failureThreshold: 1000,
    clearBatchSize: 5000,
  });
  await connection.open(5000);
  if (!store.serving) throw new Error(`Redis at ${url} is not reachable`);
  const inspector = createRedisClient(url, 60_000);
  await inspector.connect();
  return { store, inspector };
}

/** Removes every key of the namespace with SCAN + UNLINK (the benchmark's databases hold nothing else). */
async function removeNamespace(client) {
  let cursor = '0';
  do {
    const reply = await client.scan(cursor, { MATCH: 'fkapi:*', COUNT: 10_000 });
    cursor = reply.cursor;
    if (reply.keys.length > 0) await client.unlink(reply.keys);
  } while (cursor !== '0');
}

async function main() {
  const { store, inspector } = await openStore(tagIndexUrl);
  const keysClient = createRedisClient(keysUrl, 60_000);
  await keysClient.connect();
  console.log(
    `tag index: ${tagIndexUrl}; KEYS baseline: ${keysUrl}; median of ${RUNS} kit changes (tag index) ` +
      `and of ${KEYS_RUNS} (KEYS, 5 from 100k entries) per size and fan-out`,
  );
  await removeNamespace(inspector);
  await removeNamespace(keysClient);
  if ((await keysClient.dbSize()) !== 0) fail(`the KEYS database ${keysUrl} holds keys of something else`);
  let filledClubs = 0;
  try {
    for (const size of SIZES) {
      // Each size's clubs extend the previous size's: only the new ones are filled.
      const { clubs, entries } = layout(size);
      const kitCount = clubs.length * KITS_PER_CLUB;
      const started = performance.now();
      if (clubs.length < filledClubs) fail('BENCH_SIZES must be in increasing order');
      await fillClubs(store, clubs.slice(filledClubs));
      await msetAll(keysClient, clubs.slice(filledClubs).flatMap(originalKeys));
      filledClubs = clubs.length;
      const fillSeconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `${size} entries: ${entries} cached entries of ${clubs.length} clubs (${kitCount} kits) + the fan-out's ` +
          `lists and searches; ${await inspector.dbSize()} Redis keys with the tag index; filled in ${fillSeconds}s`,
      );
      for (const fanout of FANOUTS) {
        if (!SHAPES[fanout]) fail(`no club shape for fan-out ${fanout}`);
        const tagMedian = await measureTagIndex(store, clubs, fanout, kitCount);
        const keys = await measurePatterns(keysClient, clubs, fanout, size);
        console.log(
          `  fan-out ${String(fanout).padStart(3)}: tag index deleted ${fanout} (asserted) ` +
            `median ${tagMedian.toFixed(3)} ms | KEYS deleted ${keys.expected} (asserted) ` +
            `median ${keys.median.toFixed(1)} ms of ${keys.runs}, DBSIZE ${keys.dbsize}`,
        );
      }
    }
  } finally {
    if (process.env.BENCH_KEEP !== '1') {
      console.log('cleaning up the benchmark keys …');
      await removeNamespace(inspector);
      await removeNamespace(keysClient);
    }
    await keysClient.close();
    await inspector.close();
    await store.connection.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
