// `npm run bench:flood`: 20,000 distinct ~14 KB URLs (cache-busting junk in the query) against
// the API started exactly as `npm start` starts it (same Node heap flags), once with the shipped
// defaults (rate limit on) and once with the limit off (every request reaches the cache-hit
// path and the pipeline). Passes when each process stays up, answers /api/health 200 afterwards
// and keeps its RSS under 250 MB; prints the figures. See docs/BENCHMARKS.md.
//
// Environment (optional): DATABASE_URL, REDIS_URL (as for `npm run bench`, which it shares the
// seeded database with), FLOOD_URLS (20000), FLOOD_JUNK_BYTES (14000), FLOOD_CONNECTIONS (20).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  killAllNow,
  readRssMb,
  sampleRss,
  startChild,
  stopAll,
  waitUntilReady,
} from './lib/children.mjs';
import { createDatabaseIfMissing, flushBenchRedis, prepareDatabase } from './lib/data.mjs';
import { readSettings, ROOT } from './lib/settings.mjs';

const URLS = Number(process.env.FLOOD_URLS ?? 20_000);
const JUNK_BYTES = Number(process.env.FLOOD_JUNK_BYTES ?? 14_000);
const CONNECTIONS = Number(process.env.FLOOD_CONNECTIONS ?? 20);
const RSS_LIMIT_MB = 250;
const API_NODE_ARGS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .scripts.start.split(/\s+/)
  .filter((word) => word.startsWith('--'));

process.on('exit', killAllNow);

/** Sends `count` GETs of distinct junk URLs, `CONNECTIONS` at a time; returns the status counts. */
async function flood(baseUrl, path, count, junkBytes) {
  const statuses = {};
  const junk = 'j'.repeat(junkBytes);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        const res = await fetch(`${baseUrl}${path}?z=${junk}&n=${i}`);
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch (error) {
        statuses[String(error.cause?.code ?? error.message)] =
          (statuses[error.cause?.code ?? error.message] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return statuses;
}

async function run(settings, label, env, junkBytes) {
  const port = await freePort();
  const api = startChild({
    name: `API (${label})`,
    script: join(ROOT, 'dist/main.js'),
    nodeArgs: API_NODE_ARGS,
    cwd: ROOT,
    port,
    env,
  });
  const rss = sampleRss(api.pid, 200);
  await waitUntilReady(api, '/api/health');
  const idleMb = readRssMb(api.pid);
  const started = Date.now();
  const statuses = await flood(api.baseUrl, '/api/kits/1', URLS, junkBytes);
  const seconds = (Date.now() - started) / 1000;
  const health = await fetch(`${api.baseUrl}/api/health`).then(
    (res) => res.status,
    (error) => String(error.cause?.code ?? error.message),
  );
  const { maxMb } = rss.stop();
  const alive = !api.exited;
  const maxMbDecimal = maxMb * 1.048576;
  const met = alive && health === 200 && maxMbDecimal < RSS_LIMIT_MB;
  console.log(
    `${met ? 'MET    ' : 'NOT MET'} ${label}: ${URLS} URLs of ~${junkBytes} B in ${seconds.toFixed(1)} s, ` +
      `statuses ${JSON.stringify(statuses)}; process ${alive ? 'up' : `gone (exit ${api.exitCode})`}, ` +
      `/api/health ${health}; RSS idle ${(idleMb * 1.048576).toFixed(0)} MB, max ${maxMbDecimal.toFixed(0)} MB (< ${RSS_LIMIT_MB} MB)`,
  );
  await stopAll();
  return met;
}

const settings = readSettings();
await createDatabaseIfMissing({ databaseUrls: settings.databaseUrls, database: settings.database });
await prepareDatabase(ROOT, { databaseUrls: settings.databaseUrls, kits: settings.kits });
await flushBenchRedis(settings.redisUrl);
const base = {
  ...process.env,
  DATABASE_URL: settings.databaseUrls.bench,
  REDIS_URL: settings.redisUrl,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DEMO_DATA: 'false',
};
delete base.RATE_LIMIT_PER_HOUR; // the shipped default
const results = [
  await run(settings, 'shipped defaults (rate limit on)', base, JUNK_BYTES),
  await run(settings, 'rate limit off', { ...base, RATE_LIMIT_PER_HOUR: '0' }, JUNK_BYTES),
  // Junk short enough to be looked up: every URL reaches the hit path's canonical form.
  await run(
    settings,
    'rate limit off, ~1.5 KB URLs (under HIT_PATH_MAX_URL_BYTES)',
    { ...base, RATE_LIMIT_PER_HOUR: '0' },
    1500,
  ),
];
process.exit(results.every(Boolean) ? 0 : 1);
