import { Kit } from '../../src/kits/kit.entity';
import { Season } from '../../src/seasons/season.entity';
import { makeClub, makeKit, makeSeason } from '../factories/catalog';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

describe('seasons', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** Searches look at every season, so each search test starts from an empty table. */
  const clearSeasons = (): Promise<unknown> => t.dataSource.query('TRUNCATE seasons CASCADE');
  const years = (body: { year: string }[]): string[] => body.map((s) => s.year);

  describe('GET /api/seasons?id=<club id>', () => {
    it('lists each season the club has kits in once, newest year first (as strings), with id and year only', async () => {
      const club = await makeClub(t.dataSource);
      const other = await makeClub(t.dataSource);
      const older = await makeSeason(t.dataSource, { year: '1931-32' });
      const single = await makeSeason(t.dataSource, { year: '1932' });
      const newer = await makeSeason(t.dataSource, { year: '1932-33' });
      const notHis = await makeSeason(t.dataSource, { year: '1933-34' });
      await makeKit(t.dataSource, { team: club, season: single });
      await makeKit(t.dataSource, { team: club, season: older });
      await makeKit(t.dataSource, { team: club, season: newer });
      await makeKit(t.dataSource, { team: club, season: newer });
      await makeKit(t.dataSource, { team: other, season: notHis });

      const res = await t.request({ url: `/api/seasons?id=${club.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        { id: newer.id, year: '1932-33' },
        { id: single.id, year: '1932' },
        { id: older.id, year: '1931-32' },
      ]);
    });

    it('answers [] for a club without kits', async () => {
      const club = await makeClub(t.dataSource);
      const res = await t.request({ url: `/api/seasons?id=${club.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([]);
    });

    it('answers 404 JSON for an unknown club', async () => {
      const res = await t.request({ url: '/api/seasons?id=987654' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ detail: 'Club with ID 987654 not found', code: 'club_not_found' });
    });

    it.each([
      ['a missing id', '', 'missing'],
      ['id=abc', 'id=abc', 'int_parsing'],
      ['id=1.5', 'id=1.5', 'int_parsing'],
      ['id=0', 'id=0', 'greater_than_equal'],
      ['id=-3', 'id=-3', 'greater_than_equal'],
      ['id=99999999999999999999', 'id=99999999999999999999', 'int_parsing'],
      ['id=9007199254740993', 'id=9007199254740993', 'less_than_equal'],
    ])('refuses %s with 422', async (_label, query, type) => {
      const res = await t.request({ url: `/api/seasons?${query}` });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0]).toMatchObject({ type, loc: ['query', 'id'] });
    });
  });

  describe('GET /api/seasons/search', () => {
    beforeEach(clearSeasons);

    it('ranks "2025": the year itself, then seasons starting in it, then seasons ending in it (reference example)', async () => {
      const s2425 = await makeSeason(t.dataSource, { year: '2024-25' });
      const s2527 = await makeSeason(t.dataSource, { year: '2025-27', secondYear: '2027' });
      const s2526 = await makeSeason(t.dataSource, { year: '2025-26' });
      const s2025 = await makeSeason(t.dataSource, { year: '2025' });
      await makeSeason(t.dataSource, { year: '2023-24' });
      const res = await t.request({ url: '/api/seasons/search?keyword=2025' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        { id: s2025.id, year: '2025' },
        { id: s2526.id, year: '2025-26' },
        { id: s2527.id, year: '2025-27' },
        { id: s2425.id, year: '2024-25' },
      ]);
    });

    it('ranks "97": years ending in 97 first (starting, then ending seasons), then years merely containing it', async () => {
      for (const year of ['1970-71', '1996-97', '1997-98', '1997', '1985-86', '2001-02']) {
        await makeSeason(t.dataSource, { year });
      }
      const res = await t.request({ url: '/api/seasons/search?keyword=97' });
      expect(years(res.json())).toEqual(['1997', '1997-98', '1996-97', '1970-71']);
    });

    it('finds the seasons starting in the year for "2024-", in year order', async () => {
      for (const year of ['2023-24', '2024', '2024-25', '2024-2025', '2025-26']) {
        await makeSeason(t.dataSource, { year });
      }
      const res = await t.request({ url: '/api/seasons/search?keyword=2024-' });
      expect(years(res.json())).toEqual(['2024', '2024-2025', '2024-25']);
    });

    it('finds exactly the season for "2024-25"', async () => {
      for (const year of ['2024', '2024-25', '2024-2025', '2025-26'])
        await makeSeason(t.dataSource, { year });
      const res = await t.request({ url: '/api/seasons/search?keyword=2024-25' });
      expect(years(res.json())).toEqual(['2024-25']);
    });

    it('ranks only the 20 newest candidates and returns 10 of them', async () => {
      for (let year = 1901; year <= 1925; year++) await makeSeason(t.dataSource, { year: String(year) });
      const res = await t.request({ url: '/api/seasons/search?keyword=19' });
      // 1919 ends in "19"; the rest only contain it and come in year order, from the 20 newest (1906…1925).
      expect(years(res.json())).toEqual([
        '1919',
        '1906',
        '1907',
        '1908',
        '1909',
        '1910',
        '1911',
        '1912',
        '1913',
        '1914',
      ]);
    });

    it('trims the keyword', async () => {
      const season = await makeSeason(t.dataSource, { year: '2026' });
      const res = await t.request({ url: '/api/seasons/search?keyword=%20%202026%20' });
      expect(res.json()).toEqual([{ id: season.id, year: '2026' }]);
    });

    it.each([
      ['blank', '%20%20'],
      ['"%"', '%25'],
      ['"_"', '_'],
      ['"20_5"', '20_5'],
    ])('answers [] for a %s keyword', async (_label, keyword) => {
      await makeSeason(t.dataSource, { year: '2025' });
      const res = await t.request({ url: `/api/seasons/search?keyword=${keyword}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([]);
    });

    it.each([
      ['missing keyword', '/api/seasons/search', 'missing'],
      ['10 KB keyword', `/api/seasons/search?keyword=${'2'.repeat(10240)}`, 'string_too_long'],
      ['NUL byte', '/api/seasons/search?keyword=20%0025', 'string_pattern_mismatch'],
    ])('refuses a %s with 422', async (_label, url, type) => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0]).toMatchObject({ type, loc: ['query', 'keyword'] });
    });
  });

  describe('GET /api/seasons/{season_id}', () => {
    it('returns the season with its years', async () => {
      const season = await makeSeason(t.dataSource, { year: '1941-42' });
      const res = await t.request({ url: `/api/seasons/${season.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ id: season.id, year: '1941-42', first_year: '1941', second_year: '1942' });
    });

    it('answers 404 JSON for an unknown id', async () => {
      const res = await t.request({ url: '/api/seasons/987654' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({
        detail: 'Season with ID 987654 not found',
        code: 'season_not_found',
      });
    });

    it.each(['abc', '0', '-1', '99999999999999999999', '1.5'])('answers 422 for id %s', async (id) => {
      const res = await t.request({ url: `/api/seasons/${id}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'int_parsing', loc: ['path', 'season_id'] });
    });
  });

  describe('writes', () => {
    const post = (body: unknown) =>
      t.request({ method: 'POST', url: '/api/seasons', headers: adminHeaders, body });

    it.each([
      ['2051-52', '2051', '2052'],
      ['2053', '2053', null],
      ['2054-2055', '2054', '2055'],
      ['2099-00', '2099', '2100'],
    ])('creates season %s with derived years %s / %s (201)', async (year, firstYear, secondYear) => {
      const res = await post({ year });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({ id: expect.any(Number), year, first_year: firstYear, second_year: secondYear });
      expect((await t.request({ url: `/api/seasons/${body.id}` })).json()).toEqual(body);
    });

    it('keeps first_year and second_year when given, null included', async () => {
      const res = await post({ year: '2056-57', first_year: '2056', second_year: null });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ year: '2056-57', first_year: '2056', second_year: null });
    });

    it('changes a season (200), re-deriving its years when the year changes, and deletes it with its kits (204)', async () => {
      const created = (await post({ year: '2061-62' })).json();
      const kit = await makeKit(t.dataSource, {
        season: await t.dataSource.getRepository(Season).findOneByOrFail({ id: created.id }),
      });

      const renamed = await t.request({
        method: 'PATCH',
        url: `/api/seasons/${created.id}`,
        headers: adminHeaders,
        body: { year: '2063' },
      });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toEqual({ id: created.id, year: '2063', first_year: '2063', second_year: null });

      const patched = await t.request({
        method: 'PATCH',
        url: `/api/seasons/${created.id}`,
        headers: adminHeaders,
        body: { second_year: '2064' },
      });
      expect(patched.json()).toEqual({
        id: created.id,
        year: '2063',
        first_year: '2063',
        second_year: '2064',
      });

      const removed = await t.request({
        method: 'DELETE',
        url: `/api/seasons/${created.id}`,
        headers: adminHeaders,
      });
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect((await t.request({ url: `/api/seasons/${created.id}` })).statusCode).toBe(404);
      expect(await t.dataSource.getRepository(Kit).existsBy({ id: kit.id })).toBe(false);
    });

    it.each([
      ['no key', {}],
      ['a wrong key', { 'x-api-key': 'wrong-key-wrong-key-wrong' }],
    ])('refuses a write with %s (401) and changes nothing', async (_label, headers) => {
      const season = await makeSeason(t.dataSource, { year: '2071' });
      const create = await t.request({
        method: 'POST',
        url: '/api/seasons',
        headers,
        body: { year: '2072' },
      });
      expect(create.statusCode).toBe(401);
      expect(create.json()).toMatchObject({ detail: 'Unauthorized', code: 'unauthorized' });
      const update = await t.request({
        method: 'PATCH',
        url: `/api/seasons/${season.id}`,
        headers,
        body: { year: '2073' },
      });
      expect(update.statusCode).toBe(401);
      const remove = await t.request({ method: 'DELETE', url: `/api/seasons/${season.id}`, headers });
      expect(remove.statusCode).toBe(401);
      expect(await t.dataSource.getRepository(Season).existsBy({ year: '2072' })).toBe(false);
      expect((await t.request({ url: `/api/seasons/${season.id}` })).json().year).toBe('2071');
    });

    it('answers 409 for a year already in use, on create and on update', async () => {
      await makeSeason(t.dataSource, { year: '2081-82' });
      const other = await makeSeason(t.dataSource, { year: '2083-84' });
      const create = await post({ year: '2081-82' });
      expect(create.statusCode).toBe(409);
      expect(create.json()).toMatchObject({ code: 'conflict', detail: "year '2081-82' is already in use" });
      const update = await t.request({
        method: 'PATCH',
        url: `/api/seasons/${other.id}`,
        headers: adminHeaders,
        body: { year: '2081-82' },
      });
      expect(update.statusCode).toBe(409);
    });

    it('answers 404 when changing or deleting an unknown season', async () => {
      const update = await t.request({
        method: 'PATCH',
        url: '/api/seasons/765432',
        headers: adminHeaders,
        body: { year: '2091' },
      });
      expect(update.statusCode).toBe(404);
      expect(update.json()).toMatchObject({ detail: 'Season with ID 765432 not found' });
      const remove = await t.request({ method: 'DELETE', url: '/api/seasons/765432', headers: adminHeaders });
      expect(remove.statusCode).toBe(404);
    });

    it.each([
      ['malformed JSON', 'POST', '{"year": ', 400, 'bad_request', undefined],
      ['a JSON array', 'POST', '["2024"]', 422, 'validation_error', 'body'],
      ['a missing year', 'POST', '{}', 422, 'validation_error', 'year'],
      ['a number for year', 'POST', '{"year": 2024}', 422, 'validation_error', 'year'],
      ['a year like 2024/25', 'POST', '{"year": "2024/25"}', 422, 'validation_error', 'year'],
      ['a year like 2024-5', 'POST', '{"year": "2024-5"}', 422, 'validation_error', 'year'],
      ['a year of 10 characters', 'POST', '{"year": "2024-20255"}', 422, 'validation_error', 'year'],
      [
        'a two-digit first_year',
        'POST',
        '{"year": "2024", "first_year": "24"}',
        422,
        'validation_error',
        'first_year',
      ],
      [
        'a number for second_year',
        'POST',
        '{"year": "2024-25", "second_year": 2025}',
        422,
        'validation_error',
        'second_year',
      ],
      ['an unknown field', 'POST', '{"year": "2024", "club": 1}', 422, 'validation_error', 'club'],
      ['a null year on update', 'PATCH', '{"year": null}', 422, 'validation_error', 'year'],
      ['a null first_year on update', 'PATCH', '{"first_year": null}', 422, 'validation_error', 'first_year'],
    ])('refuses %s with a JSON 4xx', async (_label, method, payload, status, code, field) => {
      const season = await makeSeason(t.dataSource, { year: '2095' });
      const res = await t.request({
        method: method as 'POST' | 'PATCH',
        url: method === 'POST' ? '/api/seasons' : `/api/seasons/${season.id}`,
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(status);
      const body = res.json();
      expect(body).toMatchObject({ code });
      if (field === 'body') expect(body.detail[0].loc).toEqual(['body']);
      else if (field) expect(body.detail[0].loc).toEqual(['body', field]);
      expect((await t.request({ url: `/api/seasons/${season.id}` })).json().year).toBe('2095');
    });
  });
});
