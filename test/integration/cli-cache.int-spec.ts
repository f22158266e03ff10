import { CacheStore } from '../../src/cache/cache-store';
import { loadConfig } from '../../src/config/app-config';
import { runCliCaptured } from '../utils/cli-output';
import { ENTRY, leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { ENTRY_VERSION } from '../../src/cache/cache-key';

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
    const { code, stdout, stderr } = await runCliCaptured(
      { DATABASE_URL: db.url, REDIS_URL: redis.url, LOG_LEVEL: 'fatal', ...env },
      argv,
    );
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  /** Stores entries the way the API does, tagged, through the same store. */
  const storeEntries = async (
    entries: { key: string; tags: string[]; cacheType: string }[],
  ): Promise<void> => {
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
      for (const { key, tags, cacheType } of entries) {
        const sequence = (await store.readSequence(key)) ?? 0;
        // Under the current schema version, as the API's `entryKey` stores them.
        const entry = {
          key: ENTRY_VERSION + key,
          value: JSON.stringify({ key }),
          ttlSeconds: 600,
          tags,
          cacheType,
        };
        expect(await store.setWithTags(entry, sequence)).toBe(true);
      }
    } finally {
      await app.close();
    }
  };
  /** A `club` detail entry, tagged with its club. */
  const storeClubEntry = (clubId: number) =>
    storeEntries([{ key: `club_${clubId}`, tags: [`club:${clubId}`], cacheType: 'club' }]);

  it('invalidates one club by its tag: exit 0, a summary, the entry gone and others kept', async () => {
    await storeClubEntry(5);
    await storeClubEntry(6);
    expect(await redis.client.exists(`${ENTRY}club_5`)).toBe(1);
    const { code, stdout } = await run({}, 'cache', 'invalidate', '--club', '5');
    expect(code).toBe(0);
    expect(stdout).toBe('Invalidated club 5: 1 entry deleted\n');
    expect(await redis.client.exists(`${ENTRY}club_5`)).toBe(0);
    expect(await redis.client.exists(`${ENTRY}club_6`)).toBe(1);
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
    expect(await redis.client.exists(`${ENTRY}club_6`)).toBe(0);
    expect(await redis.client.get('someone-else:key')).toBe('kept');
    await redis.client.del('someone-else:key');
  });

  it.each([
    [['--season', '3'], 'season 3: 2 entries', ['season_3', 'kit_club_9_season=3'], ['season_4']],
    [['--kit', '42'], 'kit 42: 1 entry', ['kit_42'], ['kit_43']],
    [['--brand', '2'], 'brand 2: 1 entry', ['brand_2'], ['brand_3']],
    [['--competition', '7'], 'competition 7: 1 entry', ['competition_7'], ['competition_8']],
    [
      ['--user-collection', '77'],
      'user_collection 77: 1 entry',
      ['user_collection_77'],
      ['user_collection_78'],
    ],
    [['--search'], 'search: 2 entries', ['search_clubs_arsenal', 'search_kits_2024'], ['kit_43']],
    [['--key', 'fkapi:kit_43'], 'key fkapi:kit_43: 1 entry', ['kit_43'], ['kit_42']],
  ])(
    'invalidates %j: exit 0, the summary, exactly the entries under it deleted',
    async (option, summary, dropped, kept) => {
      const tagsOf: Record<string, string[]> = {
        season_3: ['season:3'],
        kit_club_9_season: ['club_kits:9', 'season_kits:3'],
        season_4: ['season:4'],
        kit_42: ['kit:42', 'club:9'],
        kit_43: ['kit:43', 'club:9'],
        brand_2: ['brand:2'],
        brand_3: ['brand:3'],
        competition_7: ['competition:7'],
        competition_8: ['competition:8'],
        user_collection_77: ['user_collection:77'],
        user_collection_78: ['user_collection:78'],
        search_clubs_arsenal: ['search', 'search:clubs', 'club:9'],
        search_kits_2024: ['search', 'search:kits', 'kit:42'],
      };
      const keys = [...dropped, ...kept];
      await storeEntries(
        keys.map((key) => ({
          key,
          tags: tagsOf[key.replace(/=.*$/, '')],
          cacheType: key.startsWith('search') ? 'search' : key.split('_')[0],
        })),
      );
      const { code, stdout } = await run({}, 'cache', 'invalidate', ...option);
      expect(code).toBe(0);
      expect(stdout).toMatch(
        new RegExp(`^Invalidated ${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} deleted\n$`),
      );
      for (const key of dropped) expect(await redis.client.exists(`${ENTRY}${key}`)).toBe(0);
      for (const key of kept) expect(await redis.client.exists(`${ENTRY}${key}`)).toBe(1);
      await redis.client.unlink(keys.map((key) => `${ENTRY}${key}`));
    },
  );

  it.each([
    [['cache', 'stats'], /^error: Redis did not answer\n$/],
    [
      ['cache', 'invalidate', '--club', '5'],
      /^error: The cache store is unavailable \(.+\); try again shortly\n$/,
    ],
  ])('fails %j with exit 1 and one line when Redis does not answer', async (argv, message) => {
    const { code, stdout, stderr } = await run({ REDIS_URL: 'redis://127.0.0.1:1/0' }, ...argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it.each([
    [['cache', 'invalidate', '--club', 'abc'], 2, /--club must be a positive integer/],
    [['cache', 'invalidate'], 2, /give exactly one of/],
    [['cache', 'invalidate', '--club', '1', '--kit', '2'], 2, /give exactly one of/],
    [['cache', 'frobnicate'], 2, /unknown cache command 'frobnicate'/],
    // The cache's own index is not an entry: deleting it would leave kits uninvalidatable.
    [['cache', 'invalidate', '--key', 'tag:kit:3'], 2, /'tag:kit:3' is a tag index, internal to the cache/],
    [['cache', 'invalidate', '--key', 'fkapi:inv:seq'], 2, /'inv:seq' is an invalidation sequence/],
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
