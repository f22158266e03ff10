import { hasSharedRedis } from '../../config/redis-topology';
import { DEFAULT_SEED, generateCatalog } from '../../database/seed/catalog-generator';
import { countKits, truncateCatalog, writeCatalog } from '../../database/seed/catalog-writer';
import { CliCommand, CommandError, UsageError } from '../command';
import { Progress } from '../progress';
import { parseOptions } from './parse-options';

const MAX_KITS = 5_000_000;

/** `seed --kits N [--seed S] [--reset]`: fills the database with a generated catalogue. */
export const seedCommand: CliCommand = {
  name: 'seed',
  summary: 'Fill the database with a generated catalogue of N kits (about N/10 clubs)',
  usage: 'seed --kits N [--seed S] [--reset]',
  details: [
    `--kits N   how many kits, 1 to ${MAX_KITS.toLocaleString('en-US')}; clubs, brands and competitions grow with it`,
    `--seed S   any text; the same seed gives the same catalogue (default "${DEFAULT_SEED}")`,
    '--reset    empty the catalogue tables first (colours stay); without it, a database that already has kits is left alone',
    'Everything happens in one transaction: an interrupted seed leaves the database as it was.',
  ].join('\n'),

  async run(args, { io, withDatabase, config }) {
    const options = parseOptions(args, {
      kits: { type: 'string' },
      seed: { type: 'string', default: DEFAULT_SEED },
      reset: { type: 'boolean', default: false },
    });
    const kits = parseKitCount(options.kits);
    const seed = options.seed;

    await withDatabase(async (dataSource) => {
      const started = performance.now();
      const progress = new Progress(io.stderr, 'kits');
      const counts = await dataSource.transaction(async (manager) => {
        if (options.reset) {
          await truncateCatalog(manager);
        } else {
          const existing = await countKits(manager);
          if (existing > 0) {
            throw new CommandError(
              `the database already has ${existing} kits; pass --reset to replace its catalogue`,
            );
          }
        }
        return writeCatalog(manager, generateCatalog({ kits, seed }), {
          onProgress: (done, total) => progress.update(done, total),
        });
      });
      progress.finish();
      // Fresh statistics: autovacuum may take long to analyse bulk-loaded tables, and until it
      // does the planner misjudges the junction tables (and the search and detail queries).
      await dataSource.query('ANALYZE');
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      io.stdout.write(
        `Seeded ${counts.kits} kits, ${counts.clubs} clubs, ${counts.seasons} seasons, ${counts.brands} brands, ` +
          `${counts.competitions} competitions, ${counts.kitTypes} kit types ` +
          `(${counts.kitCompetitions} kit competitions, ${counts.kitSecondaryColors} secondary colours) ` +
          `in ${seconds} s, seed "${seed}"\n`,
      );
    });
    io.stderr.write(staleCacheWarning(hasSharedRedis(config())));
  },
};

function parseKitCount(value: string | undefined): number {
  const rule = `--kits must be a whole number from 1 to ${MAX_KITS}`;
  if (value === undefined) throw new UsageError(`${rule}; it is required`);
  const kits = /^\d{1,8}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!(kits >= 1 && kits <= MAX_KITS)) throw new UsageError(`${rule}, not "${value}"`);
  return kits;
}

/**
 * The bulk load bypasses the entity subscriber, so nothing invalidated what an API serving this
 * database has cached. A shared Redis cache can be dropped from here; a cache in an API's own
 * memory (no `REDIS_URL`) only by restarting that API.
 */
export function staleCacheWarning(sharedCache: boolean): string {
  const command = 'npx fkapi cache invalidate --all';
  return sharedCache
    ? `warning: an API serving this database still answers from the Redis cache; drop it with:\n  ${command}\n`
    : 'warning: an API serving this database without REDIS_URL keeps the old catalogue in its\n' +
        'in-process cache until it restarts (or CACHE_TTL_SECONDS pass): restart it. With REDIS_URL\n' +
        `set for both, drop a shared cache with: ${command}\n`;
}
