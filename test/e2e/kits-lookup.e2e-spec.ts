import { Club } from '../../src/clubs/club.entity';
import { Kit } from '../../src/kits/kit.entity';
import { KitType } from '../../src/kit-types/kit-type.entity';
import { Season } from '../../src/seasons/season.entity';
import { makeBrand, makeClub, makeKit, makeKitType, makeSeason } from '../factories/catalog';
import { startTestApp, TestApp } from '../utils/test-app';

const ids = (items: { id: number }[]): number[] => items.map((item) => item.id);

/** Kit search and bulk lookup. Years from 2020 on are never produced by the season factory's defaults. */
describe('kits (search and bulk)', () => {
  let t: TestApp;
  let home: KitType;
  beforeAll(async () => {
    t = await startTestApp();
    home = await makeKitType(t.dataSource, { name: 'Home' });
  });
  afterAll(async () => t.close());

  const kitOf = (team: Club, season: Season, type: KitType = home, name?: string): Promise<Kit> =>
    makeKit(
      t.dataSource,
      { team, season, type },
      { name: name ?? `${team.name} ${season.year} ${type.name}` },
    );

  const search = async (keyword: string): Promise<{ id: number }[]> => {
    const res = await t.request({ url: `/api/kits/search?keyword=${encodeURIComponent(keyword)}` });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  describe('GET /api/kits/search', () => {
    it('answers {id, name, main_img_url, team_name, season_year}', async () => {
      const team = await makeClub(t.dataSource, { name: 'Shapeton Rovers' });
      const season = await makeSeason(t.dataSource, { year: '2031-32' });
      const kit = await kitOf(team, season);
      expect(await search('shapeton')).toEqual([
        {
          id: kit.id,
          name: 'Shapeton Rovers 2031-32 Home',
          main_img_url: kit.mainImgUrl,
          team_name: 'Shapeton Rovers',
          season_year: '2031-32',
        },
      ]);
    });

    it('tries the whole text, then every word (AND), then any word (OR)', async () => {
      const season = await makeSeason(t.dataSource, { year: '2030-31' });
      const zanzibarUnited = await kitOf(await makeClub(t.dataSource, { name: 'Zanzibar United' }), season);
      const zanzibarCity = await kitOf(await makeClub(t.dataSource, { name: 'Zanzibar City' }), season);
      await kitOf(await makeClub(t.dataSource, { name: 'Pemba United' }), season);

      expect(ids(await search('Zanzibar United'))).toEqual([zanzibarUnited.id]);
      expect(ids(await search('United Zanzibar'))).toEqual([zanzibarUnited.id]);
      expect(ids(await search('Zanzibar Qwertyville'))).toEqual([zanzibarCity.id, zanzibarUnited.id]);
      // Words of two characters or fewer take no part in the AND / OR tiers.
      expect(ids(await search('xy Zanzibar'))).toEqual([zanzibarCity.id, zanzibarUnited.id]);
    });

    it('restricts to the seasons a year can mean: YYYY, (YYYY-1)-YY and YYYY-(YY+1)', async () => {
      const team = await makeClub(t.dataSource, { name: 'Malagueta' });
      const inYear = await kitOf(team, await makeSeason(t.dataSource, { year: '2033' }));
      const before = await kitOf(team, await makeSeason(t.dataSource, { year: '2032-33' }));
      const after = await kitOf(team, await makeSeason(t.dataSource, { year: '2033-34' }));
      await kitOf(team, await makeSeason(t.dataSource, { year: '2034-35' }));
      const expected = [after.id, before.id, inYear.id];
      expect(ids(await search('Malagueta 2033'))).toEqual(expected);
      expect(ids(await search('2033 Malagueta'))).toEqual(expected);
      // A year alone lists every kit of those seasons.
      expect(ids(await search('2033'))).toEqual(expected);
    });

    it('keeps the reference fallback: with only short words, every kit of the year matches', async () => {
      const team = await makeClub(t.dataSource, { name: 'Fallbackton' });
      const kit = await kitOf(team, await makeSeason(t.dataSource, { year: '2036' }));
      expect(ids(await search('zq 2036'))).toEqual([kit.id]);
    });

    it('ignores accents and case on both sides', async () => {
      const season = await makeSeason(t.dataSource, { year: '2035-36' });
      const malaga = await kitOf(await makeClub(t.dataSource, { name: 'Málaga Zeta' }), season);
      const cordoba = await kitOf(await makeClub(t.dataSource, { name: 'Cordoba Zeta' }), season);
      expect(ids(await search('malaga zeta'))).toEqual([malaga.id]);
      expect(ids(await search('MÁLAGA ZETA'))).toEqual([malaga.id]);
      expect(ids(await search('Córdoba'))).toEqual([cordoba.id]);
    });

    it('orders by kit type (category, outfield first, priority, name), then newest kit', async () => {
      const team = await makeClub(t.dataSource, { name: 'Orderton' });
      const season = await makeSeason(t.dataSource, { year: '2037-38' });
      const type = (name: string, categoryOrder: number, orderPriority: number, isGoalkeeper = false) =>
        makeKitType(t.dataSource, { name, categoryOrder, orderPriority, isGoalkeeper });
      const training = await kitOf(team, season, await type('Training', 4, 1));
      const gkHome = await kitOf(team, season, await type('GK Home', 1, 1, true));
      const away = await kitOf(team, season, await type('Away', 1, 2));
      const homeAlt = await kitOf(team, season, await type('Home Alt', 1, 1));
      const olderHome = await kitOf(team, season, home);
      const preMatch = await kitOf(team, season, await type('Pre-match', 2, 1));
      const newerHome = await kitOf(team, season, home);
      expect(ids(await search('Orderton'))).toEqual([
        newerHome.id,
        olderHome.id,
        homeAlt.id,
        away.id,
        gkHome.id,
        preMatch.id,
        training.id,
      ]);
    });

    it('moves reserve, youth and women teams after the first team', async () => {
      const season = await makeSeason(t.dataSource, { year: '2038-39' });
      const away = await makeKitType(t.dataSource, { name: 'Away', orderPriority: 2 });
      const first = await kitOf(await makeClub(t.dataSource, { name: 'Quokka' }), season, away);
      const reserves = await kitOf(await makeClub(t.dataSource, { name: 'Quokka B' }), season);
      const women = await kitOf(await makeClub(t.dataSource, { name: 'Quokka Women' }), season);
      const youth = await kitOf(await makeClub(t.dataSource, { name: 'Quokka U21' }), season);
      expect(ids(await search('quokka'))).toEqual([first.id, youth.id, women.id, reserves.id]);
    });

    it('looks for first teams only among the first 20 candidates, and returns 10', async () => {
      const season = await makeSeason(t.dataSource, { year: '2039-40' });
      const away = await makeKitType(t.dataSource, { name: 'Away', orderPriority: 2 });
      const firstTeamAway = await kitOf(await makeClub(t.dataSource, { name: 'Wombat' }), season, away);
      const reserves = await makeClub(t.dataSource, { name: 'Wombat II' });
      const reserveKits: Kit[] = [];
      for (let i = 0; i < 20; i++) reserveKits.push(await kitOf(reserves, season));
      const found = ids(await search('wombat'));
      expect(found).toHaveLength(10);
      expect(found).not.toContain(firstTeamAway.id);
      expect(found).toEqual(ids(reserveKits).reverse().slice(0, 10));
    });

    it('matches LIKE metacharacters literally', async () => {
      const team = await makeClub(t.dataSource, { name: 'Likeville' });
      const season = await makeSeason(t.dataSource, { year: '2040-41' });
      const percent = await kitOf(team, season, home, 'Odd 100% Kit');
      const underscore = await kitOf(team, season, home, 'Under_Score Kit');
      await kitOf(team, season, home, 'UnderXScore Kit');
      expect(await search('%%%')).toEqual([]);
      expect(ids(await search('100%'))).toEqual([percent.id]);
      expect(ids(await search('under_score'))).toEqual([underscore.id]);
    });

    it.each(['', '?keyword=', '?keyword=%20%20%20'])(
      'answers [] for a missing or blank keyword (%s)',
      async (q) => {
        const res = await t.request({ url: `/api/kits/search${q}` });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual([]);
      },
    );

    it.each([
      ['a 10 KB keyword', `keyword=${'a'.repeat(10240)}`, 'string_too_long'],
      ['a NUL byte', 'keyword=ab%00cd', 'string_pattern_mismatch'],
      ['a repeated keyword', 'keyword=a&keyword=b', 'string_type'],
    ])('refuses %s with 422', async (_label, q, type) => {
      const res = await t.request({ url: `/api/kits/search?${q}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type, loc: ['query', 'keyword'] });
    });
  });

  describe('GET /api/kits/bulk', () => {
    let kits: Kit[];
    let team: Club;
    let season: Season;
    beforeAll(async () => {
      team = await makeClub(t.dataSource, {
        name: 'Bulk United',
        logo: 'https://img.example/bulk.png',
        logoDark: 'https://img.example/bulk_l.png',
        country: 'DE',
      });
      season = await makeSeason(t.dataSource, { year: '2041-42' });
      const brand = await makeBrand(t.dataSource, {
        name: 'Puma',
        logo: 'https://img.example/puma.png',
        logoDark: null,
      });
      kits = [];
      for (let i = 1; i <= 30; i++) {
        kits.push(
          await makeKit(t.dataSource, { team, season, brand, type: home }, { slug: `bulk-${i}-kit` }),
        );
      }
    });

    const bulk = (slugs: string) => t.request({ url: `/api/kits/bulk?slugs=${encodeURIComponent(slugs)}` });

    it('answers each kit with its team, season and brand', async () => {
      const res = await bulk('bulk-1-kit,bulk-2-kit');
      expect(res.statusCode).toBe(200);
      const [first] = res.json();
      expect(first).toEqual({
        id: kits[0].id,
        name: kits[0].name,
        slug: 'bulk-1-kit',
        team: {
          id: team.id,
          name: 'Bulk United',
          logo: 'https://img.example/bulk.png',
          logo_dark: 'https://img.example/bulk_l.png',
          country: 'DE',
        },
        season: { id: season.id, year: '2041-42' },
        brand: { id: kits[0].brandId, name: 'Puma', logo: 'https://img.example/puma.png', logo_dark: null },
        main_img_url: kits[0].mainImgUrl,
      });
      expect(res.json()).toHaveLength(2);
    });

    it('keeps the input order, skips unknown slugs and repeats repeated ones', async () => {
      const res = await bulk('bulk-3-kit, bulk-1-kit,no-such-kit,bulk-2-kit,bulk-3-kit');
      expect(res.json().map((k: { slug: string }) => k.slug)).toEqual([
        'bulk-3-kit',
        'bulk-1-kit',
        'bulk-2-kit',
        'bulk-3-kit',
      ]);
    });

    it('accepts full URLs, with and without a trailing slash, mixed with slugs', async () => {
      const res = await bulk(
        'https://www.footballkitarchive.com/bulk-4-kit/,https://www.footballkitarchive.com/bulk-5-kit,bulk-6-kit',
      );
      expect(res.json().map((k: { slug: string }) => k.slug)).toEqual([
        'bulk-4-kit',
        'bulk-5-kit',
        'bulk-6-kit',
      ]);
    });

    it('takes the last path segment of a URL, as the reference does', async () => {
      const numeric = await makeKit(t.dataSource, {}, { slug: '12345' });
      const res = await bulk('https://www.footballkitarchive.com/some-kit/12345//,bulk-1-kit');
      expect(ids(res.json())).toEqual([numeric.id, kits[0].id]);
    });

    it('answers 30 kits for 30 slugs', async () => {
      const res = await bulk(kits.map((k) => k.slug).join(','));
      expect(res.statusCode).toBe(200);
      expect(ids(res.json())).toEqual(ids(kits));
    });

    it.each([
      ['one slug', 'bulk-1-kit', 'Minimum 2 kits required', 'too_few_slugs'],
      ['one slug among empty items', ' bulk-1-kit, , ,', 'Minimum 2 kits required', 'too_few_slugs'],
      [
        '31 slugs',
        Array.from({ length: 31 }, (_, i) => `s${i}`).join(','),
        'Maximum 30 kits allowed',
        'too_many_slugs',
      ],
    ])('refuses %s with 400', async (_label, slugs, detail, code) => {
      const res = await bulk(slugs);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ detail, code });
    });

    it.each([
      ['a missing slugs parameter', '/api/kits/bulk', 'missing'],
      ['a slug over 150 characters', `/api/kits/bulk?slugs=a,${'b'.repeat(151)}`, 'string_too_long'],
      ['a parameter over 6000 characters', `/api/kits/bulk?slugs=${'ab,'.repeat(2001)}`, 'string_too_long'],
      ['a repeated slugs parameter', '/api/kits/bulk?slugs=a,b&slugs=c,d', 'string_type'],
      ['a NUL byte', '/api/kits/bulk?slugs=a,b%00', 'string_pattern_mismatch'],
    ])('refuses %s with 422', async (_label, url, type) => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type, loc: ['query', 'slugs'] });
    });
  });
});
