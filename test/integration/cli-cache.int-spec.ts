import { CacheStore } from '../../src/cache/cache-store';
import { OutputStream } from '../../src/cli/command';
import { runCli } from '../../src/cli/run-cli';
import { loadConfig } from '../../src/config/app-config';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

class Captured implements OutputStream {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('cli: cache invalidate / cache stats (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let redis: TestRedisDb;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await leaseRedisDb();
  });
  afterAll(async () => {
    await redis.release();
    await db.drop();
  });

  const run = async (env: Record<string, string>, ...argv: string[]) => {
    const stdout = new Captured();
    const stderr = new Captured();
    const code = await runCli(argv, {
      io: { stdout, stderr },
      readConfig: () =>
        loadConfig({ DATABASE_URL: db.url, REDIS_URL: redis.url, LOG_LEVEL: 'fatal', ...env }),
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  /** Stores an entry the way the API does, tagged, through the same store (a `club` detail). */
  const storeClubEntry = async (clubId: number) => {
    // The API's own path: the stats and invalidation commands must see it.
    const { NestFactory } = await import('@nestjs/core');
    const { AppModule } = await import('../../src/app.module');
    const { CACHE_STORE } = await import('../../src/cache/cache-store');
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot(loadConfig({ DATABASE_URL: db.url, REDIS_URL: redis.url, LOG_LEVEL: 'fatal' })),
      { logger: false },
    );
    try {
      await app.init();
      const store = app.get<CacheStore>(CACHE_STORE);
      const sequence = (await store.readSequence()) ?? 0;
      const entry = {
        key: `club_${clubId}`,
        value: JSON.stringify({ id: clubId }),
        ttlSeconds: 600,
        tags: [`club:${clubId}`],
        cacheType: 'club',
      };
      expect(await store.setWithTags(entry, sequence)).toBe(true);
    } finally {
      await app.close();
    }
  };

  it('invalidates one club by its tag: exit 0, a summary, the entry gone and others kept', async () => {
    await storeClubEntry(5);
    await storeClubEntry(6);
    expect(await redis.client.exists('fkapi:club_5')).toBe(1);
    const { code, stdout } = await run({}, 'cache', 'invalidate', '--club', '5');
    expect(code).toBe(0);
    expect(stdout).toBe('Invalidated club 5: 1 entry deleted\n');
    expect(await redis.client.exists('fkapi:club_5')).toBe(0);
    expect(await redis.client.exists('fkapi:club_6')).toBe(1);
  });

  it('prints entries per cache type with cache stats', async () => {
    const { code, stdout } = await run({}, 'cache', 'stats');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Cache entries: 1\n/);
    expect(stdout).toMatch(/ {2}club +1\n/);
  });

  it('clears the fkapi: namespace with --all and keeps foreign keys', async () => {
    await redis.client.set('someone-else:key', 'kept');
    const { code, stdout } = await run({}, 'cache', 'invalidate', '--all');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Invalidated all: 1 entry deleted\n$/);
    expect(await redis.client.exists('fkapi:club_6')).toBe(0);
    expect(await redis.client.get('someone-else:key')).toBe('kept');
    await redis.client.del('someone-else:key');
  });

  it.each([
    [['cache', 'invalidate', '--club', 'abc'], 2, /--club must be a positive integer/],
    [['cache', 'invalidate'], 2, /give exactly one of/],
    [['cache', 'invalidate', '--club', '1', '--kit', '2'], 2, /give exactly one of/],
    [['cache', 'frobnicate'], 2, /unknown cache command 'frobnicate'/],
  ])('refuses %j with exit %i and one readable line', async (argv, exitCode, message) => {
    const { code, stderr } = await run({}, ...argv);
    expect(code).toBe(exitCode);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('explains that without REDIS_URL there is nothing a command can reach (exit 1)', async () => {
    const { code, stderr } = await run({ REDIS_URL: '' }, 'cache', 'stats');
    expect(code).toBe(1);
    expect(stderr).toMatch(/REDIS_URL is not set/);
  });
});
