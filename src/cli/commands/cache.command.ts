import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { CacheAdminService } from '../../cache/cache-admin.service';
import { InvalidateCacheDto } from '../../cache/dto/cache-admin.dto';
import { prepareDatabase } from '../../database/prepare-database';
import { CliContext, CliCommand, CommandError, UsageError } from '../command';
import { CliLogger } from '../cli-logger';
import { parseOptions } from './parse-options';

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
    target.key = key;
  }
  return target;
}

/**
 * Runs `work` with the API's cache services, on the same PostgreSQL and Redis as the API. Without
 * `REDIS_URL` the API's cache lives in its own process memory, out of a command's reach.
 */
async function withCacheAdmin<T>(
  context: CliContext,
  work: (admin: CacheAdminService) => Promise<T>,
): Promise<T> {
  const config = context.config();
  if (!config.redisUrl) {
    throw new CommandError(
      'REDIS_URL is not set: the API then caches in its own memory, which a command cannot reach',
    );
  }
  const logger = new CliLogger(context.io.stderr, config.logLevel);
  const database = await prepareDatabase({ ...config, demoData: false }, logger);
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ ...config, databaseUrl: database.url }),
      {
        logger: false,
        abortOnError: false,
      },
    );
    try {
      return await work(app.get(CacheAdminService));
    } finally {
      await app.close();
    }
  } finally {
    await database.stop();
  }
}

/** `cache invalidate …` and `cache stats`: the cache administration endpoints, from a terminal. */
export const cacheCommand: CliCommand = {
  name: 'cache',
  summary: 'Invalidate cache entries or show cache statistics (needs REDIS_URL)',
  usage:
    'cache invalidate (--club N | --season N | --kit N | --brand N | --competition N | --user-collection ID | --search | --key KEY | --all) | cache stats',
  details:
    'invalidate: drops every entry containing the entity (by the tag index, never a key scan), every search result, one key, or the whole fkapi: namespace (other data in the same Redis is kept).\nstats: live entries per cache type (hit counts live in the API process: see GET /api/cache/stats or /metrics).',

  async run(args, context) {
    const [sub, ...rest] = args;
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
    throw new UsageError(sub ? `unknown cache command '${sub}'` : 'say invalidate or stats');
  },
};
