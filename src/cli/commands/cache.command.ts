import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { hasSharedRedis } from '../../config/redis-topology';
import { CacheAdminService } from '../../cache/cache-admin.service';
import { InvalidateCacheDto } from '../../cache/dto/cache-admin.dto';
import { prepareDatabase } from '../../database/prepare-database';
import { cannotOpenDatabase, CliContext, CliCommand, CommandError, UsageError } from '../command';
import { planWarmReads, runWarmReads, WARM_SEARCH_TERMS, WARM_TOP_BRANDS, WarmOptions } from '../cache-warm';
import { CliLogger } from '../cli-logger';
import { Progress } from '../progress';
import { parseOptions } from './parse-options';
import { internalKeyReason } from '../../cache/tag-index-rules';

const ID_TARGETS = ['club', 'season', 'kit', 'brand', 'competition', 'user-collection'] as const;

function parseId(name: string, value: string): number {
  const id = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`--${name} must be a positive integer`);
  return id;
}

/** `cache invalidate` options → the body the HTTP endpoint takes (exactly one target). */
export function invalidationTarget(args: string[]): InvalidateCacheDto {
  const values = parseOptions(args, {
    club: { type: 'string' },
    season: { type: 'string' },
    kit: { type: 'string' },
    brand: { type: 'string' },
    competition: { type: 'string' },
    'user-collection': { type: 'string' },
    search: { type: 'boolean' },
    key: { type: 'string' },
    all: { type: 'boolean' },
  });
  const given = Object.keys(values).filter((name) => values[name as keyof typeof values] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      'give exactly one of --club N, --season N, --kit N, --brand N, --competition N, --user-collection ID, --search, --key KEY, --all',
    );
  }
  const [name] = given;
  const target = new InvalidateCacheDto();
  if ((ID_TARGETS as readonly string[]).includes(name)) {
    const id = parseId(name, values[name as (typeof ID_TARGETS)[number]] as string);
    if (name === 'user-collection') target.user_collection = id;
    else target[name as 'club' | 'season' | 'kit' | 'brand' | 'competition'] = id;
  } else if (name === 'search') target.search = true;
  else if (name === 'key') {
    const key = values.key as string;
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (key.length === 0 || key.length > 300 || /[\u0000-\u001f]/.test(key))
      throw new UsageError('--key must be 1..300 printable characters');
    const internal = internalKeyReason(key);
    if (internal) throw new UsageError(`--key: ${internal}`);
    target.key = key;
  }
  return target;
}

/**
 * Runs `work` with the API's providers (services, cache), on the same PostgreSQL and Redis as the
 * API (through the sentinels when `REDIS_SENTINELS` is set, on the cluster of
 * `REDIS_CLUSTER_NODES`). Without any of them the API's cache lives in its own process memory,
 * out of a command's reach.
 */
async function withCacheApp<T>(
  context: CliContext,
  work: (app: INestApplicationContext) => Promise<T>,
): Promise<T> {
  const config = context.config();
  if (!hasSharedRedis(config)) {
    throw new CommandError(
      'REDIS_URL is not set (nor REDIS_SENTINELS, nor REDIS_CLUSTER_NODES): the API then caches in its own memory, which a command cannot reach',
    );
  }
  const logger = new CliLogger(context.io.stderr, config.logLevel);
  const database = await prepareDatabase({ ...config, demoData: false }, logger).catch((error) => {
    throw cannotOpenDatabase(error);
  });
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ ...config, databaseUrl: database.url }),
      {
        logger: false,
        abortOnError: false,
      },
    );
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  } finally {
    await database.stop();
  }
}

const withCacheAdmin = <T>(context: CliContext, work: (admin: CacheAdminService) => Promise<T>): Promise<T> =>
  withCacheApp(context, (app) => work(app.get(CacheAdminService)));

const MAX_WARM_CLUBS = 10_000;
const MAX_WARM_KITS = 100_000;
/** Reads in flight while warming: enough to overlap round trips, few enough to leave the pool to the API. */
const WARM_CONCURRENCY = 4;

function parseCount(name: string, value: string, max: number): number {
  const count = /^\d{1,7}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(count >= 0 && count <= max))
    throw new UsageError(`--${name} must be a whole number from 0 to ${max}`);
  return count;
}

/** `cache warm` options, with the reference's defaults (50 clubs, 100 kits, no seasons, no searches). */
export function warmOptions(args: string[]): WarmOptions {
  const values = parseOptions(args, {
    clubs: { type: 'string', default: '50' },
    kits: { type: 'string', default: '100' },
    seasons: { type: 'boolean', default: false },
    search: { type: 'boolean', default: false },
  });
  return {
    clubs: parseCount('clubs', values.clubs, MAX_WARM_CLUBS),
    kits: parseCount('kits', values.kits, MAX_WARM_KITS),
    seasons: values.seasons,
    search: values.search,
  };
}

async function warm(args: string[], context: CliContext): Promise<void> {
  const options = warmOptions(args);
  const { io } = context;
  await withCacheApp(context, async (app) => {
    const admin = app.get(CacheAdminService);
    // A read never fails because of Redis (it falls through to PostgreSQL), so an unreachable
    // Redis would "warm" nothing without a word: ask first.
    const before = await admin.stats();
    if (!before.available) throw new CommandError('Redis did not answer: nothing was warmed');
    const started = performance.now();
    const reads = await planWarmReads(app, options);
    const progress = new Progress(io.stderr, 'reads');
    const outcome = await runWarmReads(reads, WARM_CONCURRENCY, (done, total) =>
      progress.update(done, total),
    );
    progress.finish();
    const stats = await admin.stats();
    if (!stats.available) throw new CommandError('Redis stopped answering while warming');
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    // The hit and miss counters are the process's (shared by every application in it, as in the
    // tests): what this warming did is the difference.
    const counted = new Map(before.by_type.map((t) => [t.cache_type, t]));
    const rows = stats.by_type
      .map((t) => ({
        cacheType: t.cache_type,
        stored: t.misses - (counted.get(t.cache_type)?.misses ?? 0),
        cached: t.hits - (counted.get(t.cache_type)?.hits ?? 0),
        live: t.entries,
      }))
      .filter((row) => row.stored + row.cached > 0);
    const fresh = rows.reduce((sum, row) => sum + row.stored, 0);
    const already = rows.reduce((sum, row) => sum + row.cached, 0);
    io.stdout.write(
      `Warmed the cache in ${seconds} s: ${outcome.reads} reads, ${fresh} stored, ${already} already cached` +
        (outcome.gone > 0 ? `, ${outcome.gone} gone meanwhile` : '') +
        `; ${stats.total_entries ?? 0} entries live\n`,
    );
    io.stdout.write(
      `  ${'cache_type'.padEnd(16)} ${'stored'.padStart(7)} ${'cached'.padStart(7)} ${'live'.padStart(7)}\n`,
    );
    for (const row of rows) {
      io.stdout.write(
        `  ${row.cacheType.padEnd(16)} ${String(row.stored).padStart(7)} ${String(row.cached).padStart(7)} ${String(row.live ?? '?').padStart(7)}\n`,
      );
    }
  });
}

/** `cache warm|invalidate|stats`: the cache administration endpoints and the reference's warm_cache, from a terminal. */
export const cacheCommand: CliCommand = {
  name: 'cache',
  summary: 'Warm or invalidate cache entries, or show cache statistics (needs REDIS_URL)',
  usage:
    'cache warm [--clubs N] [--kits N] [--seasons] [--search] | cache invalidate (--club N | --season N | --kit N | --brand N | --competition N | --user-collection ID | --search | --key KEY | --all) | cache stats',
  details:
    `warm: reads through the API's own cached service methods, so each entry is under the key a request looks up: the detail and first kits page (default page size) of the --clubs N clubs with the most kits (default 50, 0..${MAX_WARM_CLUBS}), the detail of the --kits N newest kits (default 100, 0..${MAX_WARM_KITS}), the ${WARM_TOP_BRANDS} brands with the most kits; --seasons adds those clubs' seasons, --search the club and kit searches for ${WARM_SEARCH_TERMS.length} popular terms.\n` +
    'invalidate: drops every entry containing the entity (by the tag index, never a key scan), every search result, one key, or the whole fkapi: namespace (other data in the same Redis is kept).\nstats: live entries per cache type (hit counts live in the API process: see GET /api/cache/stats or /metrics).',

  async run(args, context) {
    const [sub, ...rest] = args;
    if (sub === 'warm') return warm(rest, context);
    if (sub === 'invalidate') {
      const target = invalidationTarget(rest);
      const result = await withCacheAdmin(context, (admin) => admin.invalidate(target));
      const what =
        result.target === 'key'
          ? `key ${result.key}`
          : result.id !== undefined
            ? `${result.target} ${result.id}`
            : result.target;
      context.io.stdout.write(
        `Invalidated ${what}: ${result.deleted} entr${result.deleted === 1 ? 'y' : 'ies'} deleted\n`,
      );
      return;
    }
    if (sub === 'stats') {
      parseOptions(rest, {});
      const stats = await withCacheAdmin(context, (admin) => admin.stats());
      if (!stats.available) throw new CommandError('Redis did not answer');
      context.io.stdout.write(`Cache entries: ${stats.total_entries ?? 0}\n`);
      for (const type of stats.by_type)
        context.io.stdout.write(`  ${type.cache_type.padEnd(16)} ${type.entries}\n`);
      return;
    }
    throw new UsageError(sub ? `unknown cache command '${sub}'` : 'say warm, invalidate or stats');
  },
};
