import { createServer } from 'node:net';
import { generateCacheKey } from '../../src/cache/cache-key';
import { WARM_SEARCH_TERMS } from '../../src/cli/cache-warm';
import { Club } from '../../src/clubs/club.entity';
import { Kit } from '../../src/kits/kit.entity';
import { makeBrand, makeClub, makeKit, makeSeason } from '../factories/catalog';
import { runCliCaptured } from '../utils/cli-output';
import { sampleValue } from '../utils/prometheus-text';
import { countQueries } from '../utils/query-counter';
import { ENTRY, leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { startTestApp, TestApp } from '../utils/test-app';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `cache warm` against the API's own PostgreSQL and Redis: the command writes through the cached
 * service methods, and the running API then answers the warmed requests from Redis.
 */
describe('cli: cache warm (real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let redis: TestRedisDb;
  // Three clubs with 3, 2 and 1 kits; kits are numbered in creation order.
  let clubs: Club[];
  let kits: Kit[];

  beforeAll(async () => {
    redis = await leaseRedisDb();
    t = await startTestApp({ REDIS_URL: redis.url });
    const season = await makeSeason(t.dataSource, { year: '2024-25' });
    const other = await makeSeason(t.dataSource, { year: '2023-24' });
    const brand = await makeBrand(t.dataSource, { name: 'adidas', slug: 'adidas-kits' });
    clubs = [
      await makeClub(t.dataSource, { name: 'Arsenal', slug: 'arsenal-kits' }),
      await makeClub(t.dataSource, { name: 'Chelsea', slug: 'chelsea-kits' }),
      await makeClub(t.dataSource, { name: 'Fulham', slug: 'fulham-kits' }),
    ];
    kits = [];
    for (const [club, count] of [
      [clubs[0], 3],
      [clubs[1], 2],
      [clubs[2], 1],
    ] as const) {
      for (let i = 0; i < count; i++) {
        kits.push(await makeKit(t.dataSource, { team: club, season: i % 2 ? other : season, brand }));
      }
    }
  });
  afterAll(async () => {
    await t.close();
    await redis.release();
  });

  const run = (env: Record<string, string>, ...argv: string[]) =>
    runCliCaptured({ DATABASE_URL: t.db.url, REDIS_URL: redis.url, LOG_LEVEL: 'fatal', ...env }, argv);
  const exists = async (key: string): Promise<boolean> => (await redis.client.exists(`${ENTRY}${key}`)) === 1;
  const hits = async (cacheType: string): Promise<number> =>
    sampleValue((await t.request({ url: '/metrics' })).body, 'fkapi_cache_hits_total', {
      cache_type: cacheType,
    }) ?? 0;

  it('warms the top clubs, the newest kits, the top brands, seasons and searches: exit 0, progress, a summary', async () => {
    const { code, stdout, stderr } = await run(
      {},
      'cache',
      'warm',
      '--clubs',
      '2',
      '--kits',
      '2',
      '--seasons',
      '--search',
    );
    expect(code).toBe(0);

    // 2 clubs × (detail, kits page, seasons) + 2 kits + 1 brand + 18 terms × (club, kit search)
    const reads = 2 * 3 + 2 + 1 + WARM_SEARCH_TERMS.length * 2;
    expect(stdout.lines[0]).toMatch(
      new RegExp(
        `^Warmed the cache in \\d+\\.\\d s: ${reads} reads, ${reads} stored, 0 already cached; \\d+ entries live$`,
      ),
    );
    expect(stdout.lines.slice(1).map((line) => line.trim().split(/\s+/))).toEqual(
      expect.arrayContaining([
        ['cache_type', 'stored', 'cached', 'live'],
        ['club', '2', '0', '2'],
        ['kit', '4', '0', '4'],
        ['brand', '1', '0', '1'],
      ]),
    );
    expect(stderr.lines[0]).toMatch(new RegExp(`^0% \\(0/${reads} reads, \\d+\\.\\d s\\)$`));
    expect(stderr.lines[stderr.lines.length - 1]).toMatch(new RegExp(`^100% \\(${reads}/${reads} reads, `));

    // The clubs with the most kits and the newest kits, under the keys the API reads.
    expect(await exists(`club_${clubs[0].id}`)).toBe(true);
    expect(await exists(`club_${clubs[1].id}`)).toBe(true);
    expect(await exists(`club_${clubs[2].id}`)).toBe(false);
    const clubKitsKey = generateCacheKey('kit_club', [clubs[0].id], { season: null, page: 1, page_size: 20 });
    expect(await exists(clubKitsKey)).toBe(true);
    expect(await exists(`season_club_${clubs[0].id}`)).toBe(true);
    expect(await exists(`kit_${kits[5].id}`)).toBe(true);
    expect(await exists(`kit_${kits[4].id}`)).toBe(true);
    expect(await exists(`kit_${kits[3].id}`)).toBe(false);
  });

  it.each([
    ['kit detail', 'kit', () => `/api/kits/${kits[5].id}`],
    ['club detail', 'club', () => `/api/clubs/${clubs[0].id}`],
    ['club kits, first page', 'kit', () => `/api/clubs/${clubs[0].id}/kits`],
    ['seasons of a club', 'season', () => `/api/seasons?id=${clubs[1].id}`],
    ['club search, typed in another case', 'search', () => '/api/clubs/search?keyword=ARSENAL'],
    ['kit search', 'search', () => '/api/kits/search?keyword=Arsenal'],
  ])('then serves the %s over HTTP as a hit, without SQL', async (_what, cacheType, url) => {
    const before = await hits(cacheType);
    let statusCode = 0;
    const { count, statements } = await countQueries(t.dataSource, async () => {
      statusCode = (await t.request({ url: url() })).statusCode;
    });
    expect(statusCode).toBe(200);
    expect(statements).toEqual([]);
    expect(count).toBe(0);
    expect(await hits(cacheType)).toBe(before + 1);
  });

  it('finds everything already cached on a second run (stored 0)', async () => {
    const { code, stdout } = await run({}, 'cache', 'warm', '--clubs', '1', '--kits', '1');
    expect(code).toBe(0);
    // 1 club × (detail, kits page) + 1 kit + 1 brand, all warmed by the first run.
    expect(stdout.lines[0]).toMatch(/: 4 reads, 0 stored, 4 already cached; \d+ entries live$/);
  });

  it('serves the warmed kit with the same body the database gives after the cache is dropped', async () => {
    const warmed = (await t.request({ url: `/api/kits/${kits[5].id}` })).json<unknown>();
    expect((await run({}, 'cache', 'invalidate', '--kit', String(kits[5].id))).code).toBe(0);
    const fresh = (await t.request({ url: `/api/kits/${kits[5].id}` })).json<unknown>();
    expect(warmed).toEqual(fresh);
  });

  it.each([
    [['cache', 'warm', '--clubs', 'many'], /--clubs must be a whole number from 0 to 10000/],
    [['cache', 'warm', '--kits', '-1'], /--kits/],
    [['cache', 'warm', '--kits', '100001'], /--kits must be a whole number from 0 to 100000/],
    [['cache', 'warm', '--everything'], /Unknown option '--everything'/],
  ])('refuses %j with exit 2 and one readable line', async (argv, message) => {
    const { code, stdout, stderr } = await run({}, ...argv);
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.lines).toHaveLength(1);
    expect(stderr.text).toMatch(message);
  });

  it('fails with exit 1 and one line when Redis does not answer, warming nothing', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await run({ REDIS_URL: `redis://127.0.0.1:${port}/0` }, 'cache', 'warm');
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.lines).toEqual(['error: Redis did not answer: nothing was warmed']);
  });

  it('fails with exit 1 and one line when PostgreSQL does not answer', async () => {
    const port = await closedPort();
    const { code, stdout, stderr } = await run(
      { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/fkapi` },
      'cache',
      'warm',
    );
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.lines).toEqual([`error: cannot open the database: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('fails with exit 1 without REDIS_URL (the API would cache in its own memory)', async () => {
    const { code, stderr } = await run({ REDIS_URL: '' }, 'cache', 'warm');
    expect(code).toBe(1);
    expect(stderr.lines).toEqual([expect.stringMatching(/^error: REDIS_URL is not set/)]);
  });
});
