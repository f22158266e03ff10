import { DEFAULT_LOGO_URL } from '../../src/clubs/clubs.repository';
import { AVAILABLE_COLORS, AVAILABLE_DESIGNS } from '../../src/kits/kit-filters';
import {
  colorByName,
  makeBrand,
  makeClub,
  makeCompetition,
  makeKit,
  makeKitType,
  makeSeason,
} from '../factories/catalog';
import { startTestApp, TestApp } from '../utils/test-app';

type Item = { id: number; name: string; main_img_url: string };
const ids = (items: { id: number }[]): number[] => items.map((item) => item.id);

describe('kits (reads)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe('GET /api/kits/{kit_id}', () => {
    it('returns the kit with every relation, competitions and colours ordered by id', async () => {
      const team = await makeClub(t.dataSource, {
        name: 'Arsenal',
        slug: 'arsenal-kits',
        idFka: 12,
        country: 'GB',
        logo: 'https://img.example/arsenal.png',
      });
      const season = await makeSeason(t.dataSource, { year: '2054-55' });
      const type = await makeKitType(t.dataSource, {
        name: 'GK Away',
        category: 'match',
        categoryOrder: 1,
        orderPriority: 2,
        isGoalkeeper: true,
      });
      const brand = await makeBrand(t.dataSource, {
        name: 'adidas',
        slug: 'adidas-detail-kits',
        logo: 'https://img.example/adidas.png',
        logoDark: 'https://img.example/adidas_l.png',
      });
      const cup = await makeCompetition(t.dataSource, { name: 'FA Cup', logo: '' });
      const league = await makeCompetition(t.dataSource, {
        name: 'Premier League',
        logo: 'https://img.example/pl.png',
        logoDark: 'https://img.example/pl_l.png',
      });
      const [red, white, navy] = await Promise.all(
        ['Red', 'White', 'Navy'].map((name) => colorByName(t.dataSource, name)),
      );
      const kit = await makeKit(
        t.dataSource,
        {
          team,
          season,
          type,
          brand,
          competitions: [league, cup],
          primaryColor: red,
          secondaryColors: [navy, white],
        },
        {
          name: 'Arsenal 2054-55 GK Away',
          slug: 'arsenal-2054-55-gk-away-kit',
          design: 'Hoops',
          rating: 4.42,
          mainImgUrl: 'https://img.example/kits/arsenal.jpg',
        },
      );

      const res = await t.request({ url: `/api/kits/${kit.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: kit.id,
        name: 'Arsenal 2054-55 GK Away',
        slug: 'arsenal-2054-55-gk-away-kit',
        team: {
          id: team.id,
          id_fka: 12,
          name: 'Arsenal',
          slug: 'arsenal-kits',
          logo: 'https://img.example/arsenal.png',
          logo_dark: null,
          country: 'GB',
        },
        season: { id: season.id, year: '2054-55', first_year: '2054', second_year: '2055' },
        competition: [
          {
            id: cup.id,
            name: 'FA Cup',
            slug: cup.slug,
            logo: DEFAULT_LOGO_URL,
            logo_dark: null,
            country: 'GB',
          },
          {
            id: league.id,
            name: 'Premier League',
            slug: league.slug,
            logo: 'https://img.example/pl.png',
            logo_dark: 'https://img.example/pl_l.png',
            country: 'GB',
          },
        ],
        type: {
          id: type.id,
          name: 'GK Away',
          category: 'match',
          category_order: 1,
          order_priority: 2,
          is_goalkeeper: true,
        },
        brand: {
          id: brand.id,
          name: 'adidas',
          slug: 'adidas-detail-kits',
          logo: 'https://img.example/adidas.png',
          logo_dark: 'https://img.example/adidas_l.png',
        },
        design: 'Hoops',
        primary_color: { id: red.id, name: 'Red', color: '#FF0000' },
        secondary_color: [
          { id: white.id, name: 'White', color: '#FFFFFF' },
          { id: navy.id, name: 'Navy', color: '#000080' },
        ],
        main_img_url: 'https://img.example/kits/arsenal.jpg',
        rating: 4.42,
      });

      const legacy = await t.request({ url: `/api/kit-json/${kit.id}` });
      expect(legacy.statusCode).toBe(200);
      expect(legacy.json()).toEqual(res.json());
    });

    it('gives empty lists and a null primary colour when the kit has none', async () => {
      const kit = await makeKit(t.dataSource);
      const body = (await t.request({ url: `/api/kits/${kit.id}` })).json();
      expect(body).toMatchObject({
        competition: [],
        secondary_color: [],
        primary_color: null,
        design: null,
        rating: 0,
      });
    });

    it.each(['/api/kits/987654', '/api/kit-json/987654'])('answers 404 JSON for %s', async (url) => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ detail: 'Kit with ID 987654 not found', code: 'kit_not_found' });
    });

    it.each(['abc', '0', '-1', '99999999999999999999', '1.5'])('answers 422 for kit_id %s', async (id) => {
      for (const prefix of ['/api/kits/', '/api/kit-json/']) {
        const res = await t.request({ url: `${prefix}${id}` });
        expect(res.statusCode).toBe(422);
        expect(res.json().detail[0]).toMatchObject({ type: 'int_parsing', loc: ['path', 'kit_id'] });
      }
    });
  });

  describe('GET /api/clubs/{club_id}/kits', () => {
    it("lists the club's kits newest first as {id, name, main_img_url}, leaving other clubs out", async () => {
      const club = await makeClub(t.dataSource);
      const a = await makeKit(t.dataSource, { team: club });
      const b = await makeKit(t.dataSource, { team: club });
      await makeKit(t.dataSource);
      const res = await t.request({ url: `/api/clubs/${club.id}/kits` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        { id: b.id, name: b.name, main_img_url: b.mainImgUrl },
        { id: a.id, name: a.name, main_img_url: a.mainImgUrl },
      ]);
    });

    it('keeps to one season when `season` is given', async () => {
      const club = await makeClub(t.dataSource);
      const s1 = await makeSeason(t.dataSource, { year: '2051-52' });
      const s2 = await makeSeason(t.dataSource, { year: '2052-53' });
      const inS1 = await makeKit(t.dataSource, { team: club, season: s1 });
      await makeKit(t.dataSource, { team: club, season: s2 });
      const res = await t.request({ url: `/api/clubs/${club.id}/kits?season=${s1.id}` });
      expect(ids(res.json())).toEqual([inS1.id]);
      const empty = await t.request({ url: `/api/clubs/${club.id}/kits?season=987654` });
      expect(empty.json()).toEqual([]);
    });

    it('pages with page and page_size, and gives the last page for a page past the end', async () => {
      const club = await makeClub(t.dataSource);
      const kits = [];
      for (let i = 0; i < 5; i++) kits.push(await makeKit(t.dataSource, { team: club }));
      const newestFirst = ids(kits).reverse();
      const page = async (q: string): Promise<number[]> =>
        ids((await t.request({ url: `/api/clubs/${club.id}/kits?${q}` })).json());
      expect(await page('page_size=2')).toEqual(newestFirst.slice(0, 2));
      expect(await page('page=2&page_size=2')).toEqual(newestFirst.slice(2, 4));
      expect(await page('page=3&page_size=2')).toEqual(newestFirst.slice(4));
      expect(await page('page=99&page_size=2')).toEqual(newestFirst.slice(4));
      expect(await page('page=1000000&page_size=100')).toEqual(newestFirst);
    });

    it('answers [] for a club without kits, on any page', async () => {
      const club = await makeClub(t.dataSource);
      for (const q of ['', '?page=5']) {
        const res = await t.request({ url: `/api/clubs/${club.id}/kits${q}` });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([]);
      }
    });

    it('answers 404 for an unknown club', async () => {
      const res = await t.request({ url: '/api/clubs/987654/kits' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ detail: 'Club with ID 987654 not found', code: 'club_not_found' });
    });

    it.each([
      ['abc/kits', 'club_id'],
      ['99999999999999999999/kits', 'club_id'],
      ['1/kits?season=abc', 'season'],
      ['1/kits?season=0', 'season'],
      ['1/kits?page=0', 'page'],
      ['1/kits?page=-1', 'page'],
      ['1/kits?page=abc', 'page'],
      ['1/kits?page_size=0', 'page_size'],
      ['1/kits?page_size=1000', 'page_size'],
    ])('answers 422 for /api/clubs/%s', async (path, param) => {
      const res = await t.request({ url: `/api/clubs/${path}` });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0].loc[1]).toBe(param);
    });
  });

  describe('GET /api/kits', () => {
    it('lists every kit newest first as {id, name, main_img_url}', async () => {
      await makeKit(t.dataSource);
      await makeKit(t.dataSource);
      const res = await t.request({ url: '/api/kits?page_size=100' });
      expect(res.statusCode).toBe(200);
      const items = res.json<Item[]>();
      expect(items.length).toBeGreaterThanOrEqual(2);
      expect(Object.keys(items[0]).sort()).toEqual(['id', 'main_img_url', 'name']);
      const listed = ids(items);
      expect(listed).toEqual([...listed].sort((x, y) => y - x));
    });

    it('answers 20 kits by default', async () => {
      for (let i = 0; i < 21; i++) await makeKit(t.dataSource);
      expect((await t.request({ url: '/api/kits' })).json()).toHaveLength(20);
    });

    it('filters by club and by season', async () => {
      const club = await makeClub(t.dataSource);
      const s1 = await makeSeason(t.dataSource, { year: '2053-54' });
      const s2 = await makeSeason(t.dataSource, { year: '2054' });
      const a = await makeKit(t.dataSource, { team: club, season: s1 });
      const b = await makeKit(t.dataSource, { team: club, season: s2 });
      const other = await makeKit(t.dataSource, { season: s1 });
      const get = async (q: string): Promise<number[]> =>
        ids((await t.request({ url: `/api/kits?${q}` })).json());
      expect(await get(`club=${club.id}`)).toEqual([b.id, a.id]);
      expect(await get(`season=${s1.id}`)).toEqual([other.id, a.id]);
      expect(await get(`club=${club.id}&season=${s2.id}`)).toEqual([b.id]);
    });

    it("filters by the club's country, in any case", async () => {
      const zz = await makeClub(t.dataSource, { country: 'ZZ' });
      const zy = await makeClub(t.dataSource, { country: 'ZY' });
      const a = await makeKit(t.dataSource, { team: zz });
      await makeKit(t.dataSource, { team: zy });
      expect(ids((await t.request({ url: '/api/kits?country=zz' })).json())).toEqual([a.id]);
      expect(ids((await t.request({ url: '/api/kits?country=ZZ' })).json())).toEqual([a.id]);
    });

    it('filters by primary colour', async () => {
      const club = await makeClub(t.dataSource);
      const red = await colorByName(t.dataSource, 'Red');
      const skyBlue = await colorByName(t.dataSource, 'Sky blue');
      const a = await makeKit(t.dataSource, { team: club, primaryColor: red });
      const b = await makeKit(t.dataSource, { team: club, primaryColor: skyBlue });
      await makeKit(t.dataSource, { team: club, primaryColor: null });
      const get = async (q: string): Promise<number[]> =>
        ids((await t.request({ url: `/api/kits?club=${club.id}&${q}` })).json());
      expect(await get('primary_color=Red')).toEqual([a.id]);
      expect(await get('primary_color=Sky%20blue')).toEqual([b.id]);
      expect(await get('primary_color=Gold')).toEqual([]);
    });

    it('needs every secondary colour given (AND), repeated values counting once', async () => {
      const club = await makeClub(t.dataSource);
      const [white, blue, black] = await Promise.all(
        ['White', 'Blue', 'Black'].map((name) => colorByName(t.dataSource, name)),
      );
      const whiteBlue = await makeKit(t.dataSource, { team: club, secondaryColors: [white, blue] });
      const whiteOnly = await makeKit(t.dataSource, { team: club, secondaryColors: [white] });
      await makeKit(t.dataSource, { team: club, secondaryColors: [black] });
      const get = async (q: string): Promise<number[]> =>
        ids((await t.request({ url: `/api/kits?club=${club.id}&${q}` })).json());
      expect(await get('secondary_color=White')).toEqual([whiteOnly.id, whiteBlue.id]);
      expect(await get('secondary_color=White&secondary_color=Blue')).toEqual([whiteBlue.id]);
      expect(await get('secondary_color=White&secondary_color=White')).toEqual([whiteOnly.id, whiteBlue.id]);
      expect(await get('secondary_color=White&secondary_color=Black')).toEqual([]);
    });

    it('filters by design, trimmed', async () => {
      const club = await makeClub(t.dataSource);
      const a = await makeKit(t.dataSource, { team: club }, { design: 'Chest band' });
      await makeKit(t.dataSource, { team: club }, { design: 'Plain' });
      const res = await t.request({ url: `/api/kits?club=${club.id}&design=%20Chest%20band%20` });
      expect(ids(res.json())).toEqual([a.id]);
    });

    it('filters by year (first or second year of the season), first_year and second_year', async () => {
      const single = await makeSeason(t.dataSource, { year: '2061' });
      const before = await makeSeason(t.dataSource, { year: '2060-61' });
      const after = await makeSeason(t.dataSource, { year: '2061-62' });
      const unrelated = await makeSeason(t.dataSource, { year: '2062-63' });
      const kSingle = await makeKit(t.dataSource, { season: single });
      const kBefore = await makeKit(t.dataSource, { season: before });
      const kAfter = await makeKit(t.dataSource, { season: after });
      const kUnrelated = await makeKit(t.dataSource, { season: unrelated });
      const get = async (q: string): Promise<number[]> =>
        ids((await t.request({ url: `/api/kits?${q}` })).json());
      expect(await get('year=2061')).toEqual([kAfter.id, kBefore.id, kSingle.id]);
      expect(await get('first_year=2061')).toEqual([kAfter.id, kSingle.id]);
      expect(await get('second_year=2061')).toEqual([kBefore.id]);
      expect(await get('first_year=2062&second_year=2063')).toEqual([kUnrelated.id]);
      expect(await get('year=2062&first_year=2061')).toEqual([kAfter.id]);
    });

    it('pages, giving the last page for a page past the end', async () => {
      const club = await makeClub(t.dataSource);
      const kits = [];
      for (let i = 0; i < 3; i++) kits.push(await makeKit(t.dataSource, { team: club }));
      const newestFirst = ids(kits).reverse();
      const page = async (q: string): Promise<number[]> =>
        ids((await t.request({ url: `/api/kits?club=${club.id}&${q}` })).json());
      expect(await page('page=1&page_size=2')).toEqual(newestFirst.slice(0, 2));
      expect(await page('page=2&page_size=2')).toEqual(newestFirst.slice(2));
      expect(await page('page=50&page_size=2')).toEqual(newestFirst.slice(2));
      expect(await page('page=50&page_size=2&design=Sash')).toEqual([]);
    });

    it('treats empty filter values as not given', async () => {
      const club = await makeClub(t.dataSource);
      const kit = await makeKit(t.dataSource, { team: club });
      const res = await t.request({
        url: `/api/kits?club=${club.id}&season=&country=&primary_color=&secondary_color=&design=&year=`,
      });
      expect(res.statusCode).toBe(200);
      expect(ids(res.json())).toEqual([kit.id]);
    });

    it('refuses an unknown primary colour with the reference 400', async () => {
      const res = await t.request({ url: '/api/kits?primary_color=red' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        detail: `Invalid primary_color 'red'. Available options: ${AVAILABLE_COLORS.join(', ')}`,
        code: 'invalid_filter',
      });
      expect(res.json().detail).toContain('White, Red, Blue, Black');
    });

    it('refuses unknown secondary colours with the reference 400 naming each', async () => {
      const res = await t.request({
        url: '/api/kits?secondary_color=Teal&secondary_color=White&secondary_color=Lime',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        detail: `Invalid secondary_color(s): Teal, Lime. Available options: ${AVAILABLE_COLORS.join(', ')}`,
        code: 'invalid_filter',
      });
    });

    it('refuses an unknown design with the reference 400', async () => {
      const res = await t.request({ url: '/api/kits?design=stripes' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({
        detail: `Invalid design 'stripes'. Available options: ${AVAILABLE_DESIGNS.join(', ')}`,
        code: 'invalid_filter',
      });
    });

    it.each([
      ['club=abc', 'club', 'int_parsing'],
      ['club=0', 'club', 'greater_than_equal'],
      ['season=-3', 'season', 'greater_than_equal'],
      ['country=GBR', 'country', 'string_pattern_mismatch'],
      ['country=1A', 'country', 'string_pattern_mismatch'],
      ['year=1799', 'year', 'greater_than_equal'],
      ['year=2101', 'year', 'less_than_equal'],
      ['year=abc', 'year', 'int_parsing'],
      ['first_year=0', 'first_year', 'greater_than_equal'],
      ['second_year=20.5', 'second_year', 'int_parsing'],
      ['primary_color=Red&primary_color=Blue', 'primary_color', 'string_type'],
      [`primary_color=${'x'.repeat(101)}`, 'primary_color', 'string_too_long'],
      ['page=0', 'page', 'greater_than_equal'],
      ['page=-1', 'page', 'greater_than_equal'],
      ['page=abc', 'page', 'int_parsing'],
      ['page_size=0', 'page_size', 'greater_than_equal'],
      ['page_size=1000', 'page_size', 'less_than_equal'],
    ])('answers 422 for %s', async (q, param, type) => {
      const res = await t.request({ url: `/api/kits?${q}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type, loc: ['query', param] });
    });
  });

  describe('GET /api/random-kits/', () => {
    it('pages kits that have an image, as the reference card with pagination', async () => {
      const team = await makeClub(t.dataSource, { name: 'Random FC' });
      const season = await makeSeason(t.dataSource, { year: '2070-71' });
      const type = await makeKitType(t.dataSource, { name: 'Third' });
      const brand = await makeBrand(t.dataSource, { name: 'Hummel' });
      const [red, white, blue] = await Promise.all(
        ['Red', 'White', 'Blue'].map((name) => colorByName(t.dataSource, name)),
      );
      const both = await makeKit(
        t.dataSource,
        { team, season, type, brand, primaryColor: red, secondaryColors: [blue, white] },
        { rating: 4.5, design: 'Sash', slug: 'random-both-kit' },
      );
      const primaryOnly = await makeKit(t.dataSource, { team, primaryColor: red }, { rating: 0 });
      const secondaryOnly = await makeKit(t.dataSource, { team, secondaryColors: [white] });
      const noImage = await makeKit(t.dataSource, { team }, { mainImgUrl: '' });

      const res = await t.request({ url: '/api/random-kits/?page=1&page_size=100' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      const byId = new Map<number, Record<string, unknown>>(
        body.kits.map((k: Record<string, unknown>) => [k.id, k]),
      );
      expect(byId.get(both.id)).toEqual({
        id: both.id,
        name: both.name,
        slug: 'random-both-kit',
        main_img_url: both.mainImgUrl,
        team_name: 'Random FC',
        season_year: '2070-71',
        type_name: 'Third',
        brand_name: 'Hummel',
        rating: 4.5,
        colors: 'Red / White',
        design: 'Sash',
      });
      expect(byId.get(primaryOnly.id)).toMatchObject({ colors: 'Red', rating: null, design: null });
      expect(byId.get(secondaryOnly.id)).toMatchObject({ colors: null });
      expect(byId.has(noImage.id)).toBe(false);

      const [{ count }] = await t.dataSource.query<{ count: number }[]>(
        "SELECT count(*)::int AS count FROM kits WHERE main_img_url <> ''",
      );
      expect(body.pagination).toEqual({
        current_page: 1,
        total_pages: Math.ceil(count / 100),
        total_count: count,
        has_next: count > 100,
        has_previous: false,
        next_page: count > 100 ? 2 : null,
        previous_page: null,
      });
      expect(body.kits).toHaveLength(Math.min(count, 100));
    });

    it('answers without the trailing slash too, and gives the last page past the end', async () => {
      await makeKit(t.dataSource);
      const res = await t.request({ url: '/api/random-kits?page=999999&page_size=1' });
      expect(res.statusCode).toBe(200);
      const { kits, pagination } = res.json();
      expect(kits).toHaveLength(1);
      expect(pagination.current_page).toBe(pagination.total_pages);
      expect(pagination).toMatchObject({ has_next: false, next_page: null, has_previous: true });
    });

    it.each(['page=0', 'page=-1', 'page=abc', 'page_size=0', 'page_size=1000'])(
      'answers 422 for %s',
      async (q) => {
        const res = await t.request({ url: `/api/random-kits/?${q}` });
        expect(res.statusCode).toBe(422);
        expect(res.json().code).toBe('validation_error');
      },
    );
  });
});
