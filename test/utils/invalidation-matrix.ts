import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Brand } from '../../src/brands/brand.entity';
import { Club } from '../../src/clubs/club.entity';
import { Color } from '../../src/colors/color.entity';
import { Competition } from '../../src/competitions/competition.entity';
import { KitType } from '../../src/kit-types/kit-type.entity';
import { Kit } from '../../src/kits/kit.entity';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { Season } from '../../src/seasons/season.entity';
import {
  colorByName,
  makeBrand,
  makeClub,
  makeCompetition,
  makeKit,
  makeKitType,
  makeSeason,
} from '../factories/catalog';
import { leaseRedisDb, TestRedisDb } from './redis-db';
import { adminHeaders, startTestApp, TestApp } from './test-app';

/**
 * The invalidation matrix (issue 4, "Tests"): for each write and each cached read that could
 * contain what it changed, warm the read, write over HTTP, and check the next read. A row reads
 * as a specification — describe('a kit moves to another club and season') › it('drops the club
 * kits page of both clubs') — and is one test with a catalogue of its own.
 *
 * - A `fresh` row: after the write each of its reads must differ from the warmed body (so a stale
 *   entry always fails it) and pass the row's check of exactly what the write changed.
 * - A `kept` row (precision): after the write each of its reads must still be a cache hit with
 *   the warmed body, so a write never flushes entries that do not contain what it changed.
 *
 * Hits are told from misses by the counters behind `fkapi_cache_hits_total` /
 * `fkapi_cache_misses_total` (summed over `cache_type`) moving across one request: every cached read endpoint makes exactly one cached
 * call, and this works the same with Redis and with the in-memory store.
 */

export type Reply = Awaited<ReturnType<TestApp['request']>>;

/** What each test gets: its own catalogue (see {@link World}). */
export interface World {
  /** GB; its kits are `subject` (s1, the only kit of s1) and `sibling` (s2). */
  home: Club;
  /** FR; its kit is `awayKit` (s2). */
  away: Club;
  /** DE; its kit is `otherKit` (s3): nothing a row writes touches it. */
  other: Club;
  s1: Season;
  s2: Season;
  s3: Season;
  /** No kit yet: where a kit moves or a new kit goes. */
  spare: Season;
  /** `subject`'s brand, and no other kit's. */
  brand: Brand;
  /** `sibling`'s and `awayKit`'s brand. */
  sharedBrand: Brand;
  /** `otherKit`'s brand. */
  otherBrand: Brand;
  /** `subject` plays in it, no other kit. */
  cup: Competition;
  /** `awayKit` plays in it. */
  league: Competition;
  /** No kit plays in it. */
  spareCompetition: Competition;
  /** Red, secondary White, in `cup`: the kit most rows write. */
  subject: Kit;
  /** Blue, no secondary colour, no competition. */
  sibling: Kit;
  /** Black, in `league`. */
  awayKit: Kit;
  /** Black. */
  otherKit: Kit;
  type: KitType;
  colors: Record<ColorKey, Color>;
  /** The one search word in each name above: search for `word.home` and find `home` only. */
  word: Record<Named, string>;
  /** A word no name holds, for what a write creates or renames to (reads may search it first). */
  newWord: string;
  /** A season `year` no season holds ("1843-44"), with its first year, for a write to use. */
  newYear: { year: string; first: number };
}

type ColorKey = 'red' | 'blue' | 'white' | 'navy' | 'green' | 'black';
type Named =
  | 'home'
  | 'away'
  | 'other'
  | 'brand'
  | 'sharedBrand'
  | 'otherBrand'
  | 'cup'
  | 'league'
  | 'spareCompetition'
  | 'subject'
  | 'sibling'
  | 'awayKit'
  | 'otherKit';

export interface Row {
  /** The specification, e.g. "drops the club kits page of both clubs". */
  it: string;
  /** The cached reads (URLs) warmed before the write and read again after it. */
  reads: (w: World) => string[];
  /**
   * `kept`: each read is still a hit with the warmed body. Otherwise the check of the fresh
   * replies (one per read, in order); `written` is the write's reply.
   */
  then: 'kept' | ((after: Reply[], w: World, written: Reply | undefined) => void);
}

export interface Scenario {
  /** The write, e.g. "a kit moves to another club and season". */
  when: string;
  /** Performs it (over HTTP unless it is a rolled-back transaction) and checks its status. */
  write: (t: TestApp, w: World) => Promise<Reply | undefined>;
  rows: Row[];
}

/** The cached read endpoints, by what they show. */
export const read = {
  kit: (id: number) => `/api/kits/${id}`,
  kitJson: (id: number) => `/api/kit-json/${id}`,
  club: (id: number) => `/api/clubs/${id}`,
  season: (id: number) => `/api/seasons/${id}`,
  brand: (id: number) => `/api/brands/${id}`,
  competition: (id: number) => `/api/competitions/${id}`,
  clubKits: (clubId: number, seasonId?: number) =>
    `/api/clubs/${clubId}/kits${seasonId === undefined ? '' : `?season=${seasonId}`}`,
  seasonsOfClub: (clubId: number) => `/api/seasons?id=${clubId}`,
  /** `GET /api/kits` with the filters given (`{ club: 5 }`, `{ secondary_color: 'Navy' }`). */
  kits: (filters: Record<string, string | number> = {}) => {
    const query = new URLSearchParams(
      Object.entries(filters).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    return query === '' ? '/api/kits' : `/api/kits?${query}`;
  },
  searchClubs: (keyword: string) => `/api/clubs/search?keyword=${encodeURIComponent(keyword)}`,
  searchSeasons: (keyword: string) => `/api/seasons/search?keyword=${encodeURIComponent(keyword)}`,
  searchBrands: (keyword: string) => `/api/brands/search?keyword=${encodeURIComponent(keyword)}`,
  searchCompetitions: (keyword: string) => `/api/competitions/search?keyword=${encodeURIComponent(keyword)}`,
  searchKits: (keyword: string) => `/api/kits/search?keyword=${encodeURIComponent(keyword)}`,
  bulk: (...slugs: string[]) => `/api/kits/bulk?slugs=${slugs.map(encodeURIComponent).join(',')}`,
};

/** Reads that no row's write may drop: entries about `other`, `otherKit` and their neighbours. */
export const unrelated = {
  club: (w: World) => [read.club(w.other.id), read.clubKits(w.other.id), read.seasonsOfClub(w.other.id)],
  kit: (w: World) => [read.kit(w.otherKit.id)],
};

/** `id`s of a list reply. */
export function ids(reply: Reply): number[] {
  return reply.json<{ id: number }[]>().map((item) => item.id);
}

/** Sends a keyed write and checks its status. */
export async function send(
  t: TestApp,
  method: 'POST' | 'PATCH' | 'DELETE',
  url: string,
  status: number,
  body?: unknown,
): Promise<Reply> {
  const reply = await t.request({ method, url, headers: adminHeaders, body });
  expect({ write: `${method} ${url}`, status: reply.statusCode, body: reply.body }).toMatchObject({
    write: `${method} ${url}`,
    status,
  });
  return reply;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Ten random letters: no two share enough trigrams to find each other in a name search. */
function randomWord(): string {
  return [...randomBytes(10)].map((byte) => LETTERS[byte % LETTERS.length]).join('');
}

const capitalised = (word: string): string => word[0].toUpperCase() + word.slice(1);

/** The catalogue each test builds, in the application's database (see {@link World}). */
class WorldFactory {
  private nextFirstYear = 1800;

  constructor(
    private readonly t: TestApp,
    private readonly type: KitType,
    private readonly colors: Record<ColorKey, Color>,
  ) {}

  static async create(t: TestApp): Promise<WorldFactory> {
    const type = await makeKitType(t.dataSource, { name: 'Home' });
    const names: Record<ColorKey, string> = {
      red: 'Red',
      blue: 'Blue',
      white: 'White',
      navy: 'Navy',
      green: 'Green',
      black: 'Black',
    };
    const entries = await Promise.all(
      Object.entries(names).map(async ([key, name]) => [key, await colorByName(t.dataSource, name)] as const),
    );
    return new WorldFactory(t, type, Object.fromEntries(entries) as Record<ColorKey, Color>);
  }

  private freshYear(): { year: string; first: number } {
    const first = this.nextFirstYear++;
    return { year: `${first}-${String((first + 1) % 100).padStart(2, '0')}`, first };
  }

  async build(): Promise<World> {
    const ds = this.t.dataSource;
    const word = Object.fromEntries(
      (
        [
          'home',
          'away',
          'other',
          'brand',
          'sharedBrand',
          'otherBrand',
          'cup',
          'league',
          'spareCompetition',
          'subject',
          'sibling',
          'awayKit',
          'otherKit',
        ] as const
      ).map((name) => [name, randomWord()]),
    ) as Record<Named, string>;
    const club = (name: Named, country: string) =>
      makeClub(ds, { name: `${capitalised(word[name])} FC`, slug: `${word[name]}-kits`, country });
    const season = () => {
      const { year } = this.freshYear();
      return makeSeason(ds, { year });
    };
    const brand = (name: Named) =>
      makeBrand(ds, { name: capitalised(word[name]), slug: `${word[name]}-kits` });
    const competition = (name: Named) =>
      makeCompetition(ds, { name: `${capitalised(word[name])} Cup`, slug: `${word[name]}-kits` });

    const [home, away, other] = [
      await club('home', 'GB'),
      await club('away', 'FR'),
      await club('other', 'DE'),
    ];
    const [s1, s2, s3, spare] = [await season(), await season(), await season(), await season()];
    const [brandRow, sharedBrand, otherBrand] = [
      await brand('brand'),
      await brand('sharedBrand'),
      await brand('otherBrand'),
    ];
    const [cup, league, spareCompetition] = [
      await competition('cup'),
      await competition('league'),
      await competition('spareCompetition'),
    ];
    const { type, colors } = this;
    const kit = (name: Named, parts: Parameters<typeof makeKit>[1]) =>
      makeKit(ds, { type, ...parts }, { name: `${capitalised(word[name])} Home`, slug: `${word[name]}-kit` });
    const subject = await kit('subject', {
      team: home,
      season: s1,
      brand: brandRow,
      competitions: [cup],
      primaryColor: colors.red,
      secondaryColors: [colors.white],
    });
    const sibling = await kit('sibling', {
      team: home,
      season: s2,
      brand: sharedBrand,
      primaryColor: colors.blue,
    });
    const awayKit = await kit('awayKit', {
      team: away,
      season: s2,
      brand: sharedBrand,
      competitions: [league],
      primaryColor: colors.black,
    });
    const otherKit = await kit('otherKit', {
      team: other,
      season: s3,
      brand: otherBrand,
      primaryColor: colors.black,
    });
    return {
      home,
      away,
      other,
      s1,
      s2,
      s3,
      spare,
      brand: brandRow,
      sharedBrand,
      otherBrand,
      cup,
      league,
      spareCompetition,
      subject,
      sibling,
      awayKit,
      otherKit,
      type,
      colors,
      word,
      newWord: randomWord(),
      newYear: this.freshYear(),
    };
  }
}

interface Probed {
  url: string;
  served: 'hit' | 'miss';
  status: number;
  reply: Reply;
}

/** `fkapi_cache_hits_total` and `fkapi_cache_misses_total` as `/metrics` reports them, summed over `cache_type`. */
async function cacheCounters(t: TestApp): Promise<{ hits: number; misses: number }> {
  const metrics = t.app.get(CacheMetrics);
  const total = async (counter: CacheMetrics['hits']): Promise<number> =>
    (await counter.get()).values.reduce((sum, sample) => sum + sample.value, 0);
  return { hits: await total(metrics.hits), misses: await total(metrics.misses) };
}

/** One GET, and whether the cache answered it. */
async function probe(t: TestApp, url: string): Promise<Probed> {
  const before = await cacheCounters(t);
  const reply = await t.request({ url });
  const after = await cacheCounters(t);
  const hits = after.hits - before.hits;
  const misses = after.misses - before.misses;
  // Each cached read endpoint makes exactly one cached call.
  expect({ url, lookups: hits + misses }).toEqual({ url, lookups: 1 });
  return { url, served: hits === 1 ? 'hit' : 'miss', status: reply.statusCode, reply };
}

/** Reads `url` until it is cached: the second read must be a hit with the first read's body. */
async function warm(t: TestApp, url: string): Promise<Probed> {
  const first = await t.request({ url });
  expect({ url, status: first.statusCode }).toEqual({ url, status: 200 });
  const second = await probe(t, url);
  expect({ url, served: second.served, body: second.reply.json() }).toEqual({
    url,
    served: 'hit',
    body: first.json(),
  });
  return second;
}

export const STORES = [
  { store: 'Redis', redis: true },
  { store: 'in-memory store', redis: false },
] as const;

/**
 * Declares the matrix: one describe per store (Redis at `REDIS_URL`, then the in-memory store),
 * one per scenario, one test per row.
 */
export function describeMatrix(title: string, scenarios: Scenario[]): void {
  describe.each(STORES)(`${title} ($store)`, ({ redis: withRedis }) => {
    let redis: TestRedisDb | undefined;
    let t: TestApp;
    let worlds: WorldFactory;

    beforeAll(async () => {
      redis = withRedis ? await leaseRedisDb() : undefined;
      t = await startTestApp(redis ? { REDIS_URL: redis.url } : {});
      worlds = await WorldFactory.create(t);
    });
    afterAll(async () => {
      await t?.close();
      await redis?.release();
    });

    for (const scenario of scenarios) {
      describe(`when ${scenario.when}`, () => {
        for (const row of scenario.rows) {
          it(row.it, async () => {
            const w = await worlds.build();
            const urls = row.reads(w);
            expect(urls.length).toBeGreaterThan(0);
            const warmed: Probed[] = [];
            for (const url of urls) warmed.push(await warm(t, url));

            const written = await scenario.write(t, w);

            const after: Probed[] = [];
            for (const url of urls) after.push(await probe(t, url));
            const { then } = row;
            if (then === 'kept') {
              for (const [i, now] of after.entries()) {
                expect({ url: now.url, served: now.served, body: now.reply.json() }).toEqual({
                  url: now.url,
                  served: 'hit',
                  body: warmed[i].reply.json(),
                });
              }
              return;
            }
            for (const [i, now] of after.entries()) {
              // A row whose read the write does not change could not catch a stale entry.
              expect({
                url: now.url,
                changed: !isDeepStrictEqual(now.reply.json(), warmed[i].reply.json()),
              }).toEqual({
                url: now.url,
                changed: true,
              });
            }
            then(
              after.map((p) => p.reply),
              w,
              written,
            );
          });
        }
      });
    }
  });
}
