// The benchmark's PostgreSQL database and Redis database, and the request paths drawn from them.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { createClient } = require('redis');

const HOT_KITS = 100;
const SIZE_SAMPLE = 1000;
const SEARCH_KEYWORDS = 12;
const LIST_CLUBS = 10;
const LIST_PAGES_PER_CLUB = 3;
const PAGE_SIZE = 20;

async function withClient(url, work) {
  const client = new Client({ connectionString: url, application_name: 'fkapi-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdentifier(name) {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function createDatabaseIfMissing({ databaseUrls, database }) {
  await withClient(databaseUrls.admin, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
      console.log(`created database ${database}`);
    }
  });
}

function runCli(root, args, databaseUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`node dist/cli/main.js ${args.join(' ')} exited with ${code}`)),
    );
  });
}

export async function countKits(databaseUrl) {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query('SELECT count(*)::int AS count FROM kits');
    return rows[0].count;
  });
}

/** Migrates, seeds N kits unless the database already holds exactly N (a reseed takes ~20 s), analyses. */
export async function prepareDatabase(root, { databaseUrls, kits }) {
  await runCli(root, ['migrate'], databaseUrls.bench);
  const existing = await countKits(databaseUrls.bench);
  if (existing === kits) {
    console.log(`database already seeded with ${kits} kits`);
  } else {
    console.log(`seeding ${kits} kits (the database has ${existing})…`);
    await runCli(root, ['seed', '--kits', String(kits), '--reset'], databaseUrls.bench);
  }
  // Planner statistics now, rather than whenever autovacuum gets to the freshly seeded tables:
  // without them PostgreSQL misjudges the join tables and every run would measure other plans.
  await withClient(databaseUrls.bench, (client) => client.query('ANALYZE'));
}

/**
 * FLUSHDB on the benchmark's own Redis database index (BENCH_REDIS_DB, 14 by default): nothing
 * else uses it, so every run starts from an empty cache. No other database index is touched.
 */
export async function flushBenchRedis(redisUrl) {
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    await client.flushDb();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    await client.close();
  }
}

/** Deterministic shuffle (mulberry32) so two runs request the same ids in the same order. */
function shuffled(values, seed = 20240601) {
  const out = [...values];
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function mapLimit(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function fetchBody(baseUrl, path) {
  const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${baseUrl}${path} answered ${response.status}: ${body.slice(0, 200)}`);
  return body;
}

/** GETs every path once (at most `concurrency` at a time) and fails on anything but 200. */
export async function requestEach(baseUrl, paths, concurrency = 8) {
  return mapLimit(paths, concurrency, (path) => fetchBody(baseUrl, path));
}

/**
 * The paths of every scenario. Kit ids: a sample of 1000 spread over the catalogue is read from
 * our API; the 100 whose body size is nearest the median become the hot set, and the median body
 * the ceiling's constant, so ceiling and ours send bodies of (nearly) the same size. The miss
 * scenario gets every other kit id, shuffled, each requested at most once.
 */
export async function choosePaths(databaseUrl, oursUrl) {
  const { ids, keywords, listClubs } = await withClient(databaseUrl, async (client) => {
    const idRows = await client.query('SELECT id::text AS id FROM kits ORDER BY id');
    // First words of club names (a word a user would type), the most common first.
    const words = await client.query(
      `SELECT lower(split_part(name, ' ', 1)) AS word, count(*)::int AS n FROM clubs
        WHERE length(split_part(name, ' ', 1)) >= 4
        GROUP BY 1 ORDER BY n DESC, word LIMIT $1`,
      [SEARCH_KEYWORDS],
    );
    const clubs = await client.query(
      `SELECT team_id::text AS id, count(*)::int AS kits FROM kits GROUP BY team_id
        ORDER BY count(*) DESC, team_id LIMIT $1`,
      [LIST_CLUBS],
    );
    return {
      ids: idRows.rows.map((r) => r.id),
      keywords: words.rows.map((r) => r.word),
      listClubs: clubs.rows,
    };
  });
  if (ids.length < SIZE_SAMPLE * 2) throw new Error(`the benchmark needs at least ${SIZE_SAMPLE * 2} kits`);

  const step = ids.length / SIZE_SAMPLE;
  const sampleIds = Array.from({ length: SIZE_SAMPLE }, (_, i) => ids[Math.floor(i * step)]);
  const bodies = await requestEach(
    oursUrl,
    sampleIds.map((id) => `/api/kits/${id}`),
  );
  const sized = sampleIds.map((id, i) => ({ id, body: bodies[i], bytes: Buffer.byteLength(bodies[i]) }));
  const median = [...sized].sort((a, b) => a.bytes - b.bytes || Number(a.id) - Number(b.id))[
    SIZE_SAMPLE >> 1
  ];
  const hot = [...sized]
    .sort(
      (a, b) =>
        Math.abs(a.bytes - median.bytes) - Math.abs(b.bytes - median.bytes) || Number(a.id) - Number(b.id),
    )
    .slice(0, HOT_KITS);

  const sampled = new Set(sampleIds);
  const missIds = shuffled(ids.filter((id) => !sampled.has(id)));

  const listPaths = listClubs.flatMap(({ id, kits }) =>
    Array.from(
      { length: Math.min(LIST_PAGES_PER_CLUB, Math.ceil(kits / PAGE_SIZE)) },
      (_, page) => `/api/kits?club=${id}&page=${page + 1}`,
    ),
  );
  return {
    ceilingBody: median.body,
    hotKitPaths: hot.map(({ id }) => `/api/kits/${id}`),
    searchPaths: keywords.map((word) => `/api/clubs/search?keyword=${encodeURIComponent(word)}`),
    listPaths,
    missKitPaths: missIds.map((id) => `/api/kits/${id}`),
  };
}

export async function serverVersion(databaseUrl) {
  return withClient(
    databaseUrl,
    async (client) => (await client.query('SHOW server_version')).rows[0].server_version,
  );
}
