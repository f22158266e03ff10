import { Brand } from '../../src/brands/brand.entity';
import { Club } from '../../src/clubs/club.entity';
import { Color } from '../../src/colors/color.entity';
import { Competition } from '../../src/competitions/competition.entity';
import { KitType } from '../../src/kit-types/kit-type.entity';
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
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

describe('kits (writes)', () => {
  let t: TestApp;
  let team: Club;
  let season: Season;
  let type: KitType;
  let brand: Brand;
  let league: Competition;
  let cup: Competition;
  let red: Color;
  let white: Color;
  let navy: Color;

  beforeAll(async () => {
    t = await startTestApp();
    team = await makeClub(t.dataSource, { name: 'Writers FC' });
    season = await makeSeason(t.dataSource, { year: '2044-45' });
    type = await makeKitType(t.dataSource, { name: 'Home' });
    brand = await makeBrand(t.dataSource, { name: 'Kappa' });
    league = await makeCompetition(t.dataSource, { name: 'Write League' });
    cup = await makeCompetition(t.dataSource, { name: 'Write Cup' });
    [red, white, navy] = await Promise.all(
      ['Red', 'White', 'Navy'].map((name) => colorByName(t.dataSource, name)),
    );
  });
  afterAll(async () => t.close());

  const required = () => ({
    name: 'Writers FC 2044-45 Home',
    team_id: team.id,
    season_id: season.id,
    type_id: type.id,
    brand_id: brand.id,
    main_img_url: 'https://img.example/kits/writers.jpg',
  });

  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
    t.request({ method, url, headers: adminHeaders, body });

  const junctionRows = async (kitId: number): Promise<number> => {
    const [{ count }] = await t.dataSource.query<{ count: number }[]>(
      `SELECT (SELECT count(*) FROM kit_competitions WHERE kit_id = $1)
            + (SELECT count(*) FROM kit_secondary_colors WHERE kit_id = $1) AS count`,
      [kitId],
    );
    return Number(count);
  };

  describe('POST /api/kits', () => {
    it('creates a kit with every field (201) and answers its detail', async () => {
      const res = await send('POST', '/api/kits', {
        ...required(),
        slug: 'writers-full-kit',
        competition_ids: [league.id, cup.id],
        primary_color_id: red.id,
        secondary_color_ids: [navy.id, white.id],
        design: 'Pinstripes',
        rating: 7.25,
        kit_id: '998877',
        fh_link: 'https://www.footyheadlines.com/writers',
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        id: expect.any(Number),
        name: 'Writers FC 2044-45 Home',
        slug: 'writers-full-kit',
        team: {
          id: team.id,
          id_fka: null,
          name: 'Writers FC',
          slug: team.slug,
          logo: team.logo,
          logo_dark: null,
          country: 'GB',
        },
        season: { id: season.id, year: '2044-45', first_year: '2044', second_year: '2045' },
        competition: [
          expect.objectContaining({ id: league.id, name: 'Write League' }),
          expect.objectContaining({ id: cup.id, name: 'Write Cup' }),
        ],
        type: {
          id: type.id,
          name: 'Home',
          category: 'match',
          category_order: 1,
          order_priority: 1,
          is_goalkeeper: false,
        },
        brand: { id: brand.id, name: 'Kappa', slug: brand.slug, logo: null, logo_dark: null },
        design: 'Pinstripes',
        primary_color: { id: red.id, name: 'Red', color: '#FF0000' },
        secondary_color: [
          { id: white.id, name: 'White', color: '#FFFFFF' },
          { id: navy.id, name: 'Navy', color: '#000080' },
        ],
        main_img_url: 'https://img.example/kits/writers.jpg',
        rating: 7.25,
      });
      expect((await t.request({ url: `/api/kits/${body.id}` })).json()).toEqual(body);
      const [row] = await t.dataSource.query<{ kit_id: string; fh_link: string }[]>(
        'SELECT kit_id, fh_link FROM kits WHERE id = $1',
        [body.id],
      );
      expect(row).toEqual({ kit_id: '998877', fh_link: 'https://www.footyheadlines.com/writers' });
    });

    it('derives the slug from the name and defaults the optional fields', async () => {
      const res = await send('POST', '/api/kits', { ...required(), name: 'Málaga Écrit 2044-45 Home' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        slug: 'malaga-ecrit-2044-45-home-kit',
        competition: [],
        secondary_color: [],
        primary_color: null,
        design: null,
        rating: 0,
      });
    });
  });

  describe('PATCH /api/kits/{kit_id}', () => {
    it('changes only the fields given (200)', async () => {
      const kit = await makeKit(
        t.dataSource,
        { team, season, type, brand, primaryColor: red },
        { design: 'Plain', rating: 3 },
      );
      const res = await send('PATCH', `/api/kits/${kit.id}`, { name: 'Renamed Kit', rating: 8.5 });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: kit.id,
        name: 'Renamed Kit',
        slug: kit.slug,
        rating: 8.5,
        design: 'Plain',
        primary_color: { id: red.id },
        team: { id: team.id },
      });
    });

    it('moves a kit to another club, season, type and brand', async () => {
      const kit = await makeKit(t.dataSource, { team, season, type, brand });
      const otherTeam = await makeClub(t.dataSource);
      const otherSeason = await makeSeason(t.dataSource, { year: '2045-46' });
      const otherType = await makeKitType(t.dataSource, { name: 'Away', orderPriority: 2 });
      const otherBrand = await makeBrand(t.dataSource);
      const res = await send('PATCH', `/api/kits/${kit.id}`, {
        team_id: otherTeam.id,
        season_id: otherSeason.id,
        type_id: otherType.id,
        brand_id: otherBrand.id,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        team: { id: otherTeam.id },
        season: { id: otherSeason.id },
        type: { id: otherType.id, name: 'Away' },
        brand: { id: otherBrand.id },
      });
      const oldClubKits = (await t.request({ url: `/api/clubs/${team.id}/kits?page_size=100` })).json();
      expect(oldClubKits.map((k: { id: number }) => k.id)).not.toContain(kit.id);
      const newClubKits = (await t.request({ url: `/api/clubs/${otherTeam.id}/kits` })).json();
      expect(newClubKits.map((k: { id: number }) => k.id)).toEqual([kit.id]);
    });

    it('replaces the competition and colour lists, and clears nullable fields with null', async () => {
      const kit = await makeKit(
        t.dataSource,
        { team, season, type, brand, competitions: [league], primaryColor: red, secondaryColors: [white] },
        { design: 'Hoops', fhLink: 'https://www.footyheadlines.com/x' },
      );
      const res = await send('PATCH', `/api/kits/${kit.id}`, {
        competition_ids: [cup.id],
        secondary_color_ids: [navy.id, white.id],
        primary_color_id: null,
        design: null,
        fh_link: null,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        competition: [{ id: cup.id }],
        secondary_color: [{ id: white.id }, { id: navy.id }],
        primary_color: null,
        design: null,
      });
      const cleared = await send('PATCH', `/api/kits/${kit.id}`, {
        competition_ids: [],
        secondary_color_ids: [],
      });
      expect(cleared.json()).toMatchObject({ competition: [], secondary_color: [] });
      expect(await junctionRows(kit.id)).toBe(0);
    });

    it('leaves the lists alone when they are not given', async () => {
      const kit = await makeKit(t.dataSource, {
        team,
        season,
        type,
        brand,
        competitions: [league, cup],
        secondaryColors: [navy],
      });
      const res = await send('PATCH', `/api/kits/${kit.id}`, { name: 'Still Listed' });
      expect(res.json()).toMatchObject({
        competition: [{ id: league.id }, { id: cup.id }],
        secondary_color: [{ id: navy.id }],
      });
    });

    it('accepts the kit keeping its own slug', async () => {
      const kit = await makeKit(t.dataSource, { team, season, type, brand });
      const res = await send('PATCH', `/api/kits/${kit.id}`, { slug: kit.slug });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('DELETE /api/kits/{kit_id}', () => {
    it('deletes the kit and its list memberships (204)', async () => {
      const kit = await makeKit(t.dataSource, {
        team,
        season,
        type,
        brand,
        competitions: [league],
        secondaryColors: [white],
      });
      const res = await send('DELETE', `/api/kits/${kit.id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect((await t.request({ url: `/api/kits/${kit.id}` })).statusCode).toBe(404);
      expect(await junctionRows(kit.id)).toBe(0);
    });
  });

  describe('refusals', () => {
    it.each([
      ['POST', '/api/kits'],
      ['PATCH', '/api/kits/1'],
      ['DELETE', '/api/kits/1'],
    ] as const)('refuses %s %s without the admin key (401)', async (method, url) => {
      for (const headers of [{}, { 'x-api-key': 'wrong-key-wrong-key-wrong' }] as Record<string, string>[]) {
        const res = await t.request({
          method,
          url,
          headers,
          body: method === 'DELETE' ? undefined : required(),
        });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ detail: 'Unauthorized', code: 'unauthorized' });
      }
    });

    it('does not create a kit without the key', async () => {
      const before = await t.dataSource.query<{ count: string }[]>('SELECT count(*) FROM kits');
      await t.request({ method: 'POST', url: '/api/kits', body: required() });
      expect(await t.dataSource.query('SELECT count(*) FROM kits')).toEqual(before);
    });

    it('answers 409 for a slug already in use, on create and on update', async () => {
      const taken = await makeKit(t.dataSource, { team, season, type, brand }, { slug: 'taken-write-kit' });
      const other = await makeKit(t.dataSource, { team, season, type, brand });
      const create = await send('POST', '/api/kits', { ...required(), slug: taken.slug });
      expect(create.statusCode).toBe(409);
      expect(create.json()).toMatchObject({
        detail: "slug 'taken-write-kit' is already in use",
        code: 'conflict',
      });
      const update = await send('PATCH', `/api/kits/${other.id}`, { slug: taken.slug });
      expect(update.statusCode).toBe(409);
    });

    it('answers 409 when the derived slug is taken', async () => {
      await makeKit(t.dataSource, { team, season, type, brand }, { slug: 'derived-clash-kit' });
      const res = await send('POST', '/api/kits', { ...required(), name: 'Derived Clash' });
      expect(res.statusCode).toBe(409);
    });

    it.each([
      ['team_id', { team_id: 987654 }, 'team_id: no such id 987654'],
      ['season_id', { season_id: 987654 }, 'season_id: no such id 987654'],
      ['type_id', { type_id: 987654 }, 'type_id: no such id 987654'],
      ['brand_id', { brand_id: 987654 }, 'brand_id: no such id 987654'],
      [
        'competition_ids',
        { competition_ids: [987655, 1, 987654] },
        'competition_ids: no such id 987654, 987655',
      ],
      ['primary_color_id', { primary_color_id: 987654 }, 'primary_color_id: no such id 987654'],
      ['secondary_color_ids', { secondary_color_ids: [1, 987654] }, 'secondary_color_ids: no such id 987654'],
    ])('answers 400 naming %s when it refers to nothing', async (_field, change, detail) => {
      // competition id 1 may not exist in this database: make it exist so only the unknown ids are named.
      await t.dataSource.query(
        "INSERT INTO competitions (id, name, slug) VALUES (1, 'One', 'one-kits') ON CONFLICT DO NOTHING",
      );
      const create = await send('POST', '/api/kits', { ...required(), slug: 'never-created-kit', ...change });
      expect(create.statusCode).toBe(400);
      expect(create.json()).toMatchObject({ detail, code: 'unknown_reference' });
      expect((await t.request({ url: '/api/kits/bulk?slugs=never-created-kit,x' })).json()).toEqual([]);

      const kit = await makeKit(t.dataSource, { team, season, type, brand });
      const update = await send('PATCH', `/api/kits/${kit.id}`, change);
      expect(update.statusCode).toBe(400);
      expect(update.json()).toMatchObject({ detail, code: 'unknown_reference' });
    });

    it('answers 404 when changing or deleting an unknown kit', async () => {
      expect((await send('PATCH', '/api/kits/987654', { name: 'X' })).json()).toMatchObject({
        detail: 'Kit with ID 987654 not found',
        code: 'kit_not_found',
      });
      expect((await send('DELETE', '/api/kits/987654')).statusCode).toBe(404);
    });

    it.each([
      ['a missing name', { name: undefined }, 'name'],
      ['a missing team_id', { team_id: undefined }, 'team_id'],
      ['a missing main_img_url', { main_img_url: undefined }, 'main_img_url'],
      ['a string team_id', { team_id: '5' }, 'team_id'],
      ['a fractional season_id', { season_id: 1.5 }, 'season_id'],
      ['a zero brand_id', { brand_id: 0 }, 'brand_id'],
      ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
      ['a bad slug', { slug: 'no spaces here' }, 'slug'],
      ['competition_ids that are not a list', { competition_ids: 5 }, 'competition_ids'],
      ['repeated competition_ids', { competition_ids: [1, 1] }, 'competition_ids'],
      [
        '51 competition_ids',
        { competition_ids: Array.from({ length: 51 }, (_, i) => i + 1) },
        'competition_ids',
      ],
      [
        '11 secondary_color_ids',
        { secondary_color_ids: Array.from({ length: 11 }, (_, i) => i + 1) },
        'secondary_color_ids',
      ],
      ['a string in secondary_color_ids', { secondary_color_ids: ['1'] }, 'secondary_color_ids'],
      ['an unknown design', { design: 'stripes' }, 'design'],
      ['a non-URL main_img_url', { main_img_url: 'javascript:alert(1)' }, 'main_img_url'],
      [
        'a main_img_url over 200 characters',
        { main_img_url: `https://img.example/${'a'.repeat(200)}` },
        'main_img_url',
      ],
      ['a rating of 10', { rating: 10 }, 'rating'],
      ['a negative rating', { rating: -1 }, 'rating'],
      ['a rating with 3 decimals', { rating: 1.234 }, 'rating'],
      ['a string rating', { rating: '5' }, 'rating'],
      ['a kit_id over 20 characters', { kit_id: '1'.repeat(21) }, 'kit_id'],
      ['a numeric kit_id', { kit_id: 5 }, 'kit_id'],
      ['a non-URL fh_link', { fh_link: 'nope' }, 'fh_link'],
      ['an unknown field', { colour: 'red' }, 'colour'],
    ])('refuses %s on create with 422 naming the field', async (_label, change, field) => {
      const res = await send('POST', '/api/kits', { ...required(), ...change });
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('validation_error');
      expect(res.json().detail[0].loc).toEqual(['body', field]);
    });

    it.each([
      ['a null name', { name: null }, 'name'],
      ['a null team_id', { team_id: null }, 'team_id'],
      ['a null main_img_url', { main_img_url: null }, 'main_img_url'],
      ['null competition_ids', { competition_ids: null }, 'competition_ids'],
      ['a null rating', { rating: null }, 'rating'],
      ['a string brand_id', { brand_id: 'x' }, 'brand_id'],
    ])('refuses %s on update with 422', async (_label, change, field) => {
      const kit = await makeKit(t.dataSource, { team, season, type, brand });
      const res = await send('PATCH', `/api/kits/${kit.id}`, change);
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0].loc).toEqual(['body', field]);
    });

    it.each([
      ['malformed JSON', '{"name": ', 400, 'bad_request'],
      ['a JSON array', '[1,2]', 422, 'validation_error'],
      ['a JSON string', '"kit"', 422, 'validation_error'],
    ])('refuses %s with a JSON 4xx', async (_label, payload, status, code) => {
      const res = await t.request({
        method: 'POST',
        url: '/api/kits',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ code });
    });
  });
});
