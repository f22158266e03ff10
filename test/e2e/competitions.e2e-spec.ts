import { DEFAULT_LOGO_URL } from '../../src/clubs/clubs.repository';
import { Competition } from '../../src/competitions/competition.entity';
import { Kit } from '../../src/kits/kit.entity';
import { makeCompetition, makeKit } from '../factories/catalog';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

describe('competitions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe('GET /api/competitions/search', () => {
    it('finds competitions by name ignoring case and accents, exact name first, with the reference fields', async () => {
      const cup = await makeCompetition(t.dataSource, {
        name: 'Copa América Femenina',
        slug: 'copa-america-femenina-kits',
        logo: 'https://img.example/caf.png',
        logoDark: 'https://img.example/caf_l.png',
        country: null,
      });
      const copa = await makeCompetition(t.dataSource, {
        name: 'Copa América',
        slug: 'copa-america-kits',
        logo: 'https://img.example/ca.png',
        country: 'BR',
      });
      await makeCompetition(t.dataSource, { name: 'Serie A', slug: 'serie-a-kits' });
      const res = await t.request({ url: '/api/competitions/search?keyword=copa%20AMERICA' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        {
          id: copa.id,
          name: 'Copa América',
          slug: 'copa-america-kits',
          logo: 'https://img.example/ca.png',
          logo_dark: null,
          country: 'BR',
        },
        {
          id: cup.id,
          name: 'Copa América Femenina',
          slug: 'copa-america-femenina-kits',
          logo: 'https://img.example/caf.png',
          logo_dark: 'https://img.example/caf_l.png',
          country: null,
        },
      ]);
    });

    it("gives the site's placeholder logo to competitions without one (null or empty)", async () => {
      const none = await makeCompetition(t.dataSource, { name: 'Logoless League', logo: null });
      const empty = await makeCompetition(t.dataSource, { name: 'Logoless League Two', logo: '' });
      const res = await t.request({ url: '/api/competitions/search?keyword=logoless%20league' });
      expect(res.json()).toEqual([
        expect.objectContaining({ id: none.id, logo: DEFAULT_LOGO_URL }),
        expect.objectContaining({ id: empty.id, logo: DEFAULT_LOGO_URL }),
      ]);
    });

    it('matches the slug and tolerates a typo through trigram similarity', async () => {
      const competition = await makeCompetition(t.dataSource, {
        name: 'Eredivisie',
        slug: 'eredivisie-kits',
      });
      const res = await t.request({ url: '/api/competitions/search?keyword=eredivsie' });
      expect(res.json<{ id: number }[]>().map((c) => c.id)).toContain(competition.id);
    });

    it('returns at most 10 results', async () => {
      for (let i = 0; i < 12; i++)
        await makeCompetition(t.dataSource, { name: `Manycup ${i}`, slug: `manycup-${i}-kits` });
      const res = await t.request({ url: '/api/competitions/search?keyword=manycup' });
      expect(res.json()).toHaveLength(10);
    });

    it.each([
      ['blank', '%20%20'],
      ['"___"', '___'],
    ])('answers [] for a %s keyword', async (_label, keyword) => {
      const res = await t.request({ url: `/api/competitions/search?keyword=${keyword}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([]);
    });

    it.each([
      ['missing keyword', '/api/competitions/search', 'missing'],
      ['10 KB keyword', `/api/competitions/search?keyword=${'a'.repeat(10240)}`, 'string_too_long'],
      ['NUL byte', '/api/competitions/search?keyword=ab%00cd', 'string_pattern_mismatch'],
    ])('refuses a %s with 422', async (_label, url, type) => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0]).toMatchObject({ type, loc: ['query', 'keyword'] });
    });
  });

  describe('GET /api/competitions/{competition_id}', () => {
    it('returns the competition as stored', async () => {
      const competition = await makeCompetition(t.dataSource, {
        name: 'Ligue 1',
        slug: 'ligue-1-kits',
        logo: null,
        logoDark: 'https://img.example/l1_l.png',
        country: 'FR',
      });
      const res = await t.request({ url: `/api/competitions/${competition.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: competition.id,
        name: 'Ligue 1',
        slug: 'ligue-1-kits',
        logo: null,
        logo_dark: 'https://img.example/l1_l.png',
        country: 'FR',
      });
    });

    it('answers 404 JSON for an unknown id', async () => {
      const res = await t.request({ url: '/api/competitions/987654' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({
        detail: 'Competition with ID 987654 not found',
        code: 'competition_not_found',
      });
    });

    it.each(['abc', '0', '-1', '99999999999999999999', '1.5'])('answers 422 for id %s', async (id) => {
      const res = await t.request({ url: `/api/competitions/${id}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'int_parsing', loc: ['path', 'competition_id'] });
    });
  });

  describe('writes', () => {
    it('creates a competition with a derived slug (201), changes it (200) and deletes it, keeping its kits (204)', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/competitions',
        headers: adminHeaders,
        body: { name: 'Süper Lig', country: 'tr' },
      });
      expect(created.statusCode).toBe(201);
      const competition = created.json();
      expect(competition).toEqual({
        id: expect.any(Number),
        name: 'Süper Lig',
        slug: 'super-lig-kits',
        logo: null,
        logo_dark: null,
        country: 'TR',
      });
      const other = await makeCompetition(t.dataSource);
      const entity = await t.dataSource.getRepository(Competition).findOneByOrFail({ id: competition.id });
      const kit = await makeKit(t.dataSource, { competitions: [entity, other] });

      const updated = await t.request({
        method: 'PATCH',
        url: `/api/competitions/${competition.id}`,
        headers: adminHeaders,
        body: { name: 'Trendyol Süper Lig', logo: 'https://img.example/sl.png', country: null },
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toEqual({
        id: competition.id,
        name: 'Trendyol Süper Lig',
        slug: 'super-lig-kits',
        logo: 'https://img.example/sl.png',
        logo_dark: null,
        country: null,
      });
      expect((await t.request({ url: `/api/competitions/${competition.id}` })).json()).toEqual(
        updated.json(),
      );

      const removed = await t.request({
        method: 'DELETE',
        url: `/api/competitions/${competition.id}`,
        headers: adminHeaders,
      });
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect((await t.request({ url: `/api/competitions/${competition.id}` })).statusCode).toBe(404);
      const survivor = await t.dataSource
        .getRepository(Kit)
        .findOne({ where: { id: kit.id }, relations: { competitions: true } });
      expect(survivor?.competitions?.map((c) => c.id)).toEqual([other.id]);
    });

    it('keeps an explicit slug, and derives it again from the name when set to null', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/competitions',
        headers: adminHeaders,
        body: { name: 'Bundesliga', slug: 'german-bundesliga-kits' },
      });
      expect(created.json().slug).toBe('german-bundesliga-kits');
      const updated = await t.request({
        method: 'PATCH',
        url: `/api/competitions/${created.json().id}`,
        headers: adminHeaders,
        body: { slug: null },
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toMatchObject({ name: 'Bundesliga', slug: 'bundesliga-kits' });
    });

    it.each([
      ['no key', {}],
      ['a wrong key', { 'x-api-key': 'wrong-key-wrong-key-wrong' }],
    ])('refuses a write with %s (401) and changes nothing', async (_label, headers) => {
      const competition = await makeCompetition(t.dataSource, { name: 'Guarded Cup' });
      const create = await t.request({
        method: 'POST',
        url: '/api/competitions',
        headers,
        body: { name: 'Sneaky Cup' },
      });
      expect(create.statusCode).toBe(401);
      expect(create.json()).toMatchObject({ detail: 'Unauthorized', code: 'unauthorized' });
      const update = await t.request({
        method: 'PATCH',
        url: `/api/competitions/${competition.id}`,
        headers,
        body: { name: 'Renamed' },
      });
      expect(update.statusCode).toBe(401);
      const remove = await t.request({
        method: 'DELETE',
        url: `/api/competitions/${competition.id}`,
        headers,
      });
      expect(remove.statusCode).toBe(401);
      expect((await t.request({ url: '/api/competitions/search?keyword=sneaky' })).json()).toEqual([]);
      expect((await t.request({ url: `/api/competitions/${competition.id}` })).json().name).toBe(
        'Guarded Cup',
      );
    });

    it('answers 409 for a slug already in use, on create and on update', async () => {
      const a = await makeCompetition(t.dataSource, { slug: 'taken-cup-kits' });
      const b = await makeCompetition(t.dataSource);
      const create = await t.request({
        method: 'POST',
        url: '/api/competitions',
        headers: adminHeaders,
        body: { name: 'X', slug: 'taken-cup-kits' },
      });
      expect(create.statusCode).toBe(409);
      expect(create.json()).toMatchObject({
        code: 'conflict',
        detail: "slug 'taken-cup-kits' is already in use",
      });
      const update = await t.request({
        method: 'PATCH',
        url: `/api/competitions/${b.id}`,
        headers: adminHeaders,
        body: { slug: a.slug },
      });
      expect(update.statusCode).toBe(409);
    });

    it('answers 404 when changing or deleting an unknown competition', async () => {
      const update = await t.request({
        method: 'PATCH',
        url: '/api/competitions/765432',
        headers: adminHeaders,
        body: { name: 'X' },
      });
      expect(update.statusCode).toBe(404);
      expect(update.json()).toMatchObject({ detail: 'Competition with ID 765432 not found' });
      const remove = await t.request({
        method: 'DELETE',
        url: '/api/competitions/765432',
        headers: adminHeaders,
      });
      expect(remove.statusCode).toBe(404);
    });

    it.each([
      ['malformed JSON', 'POST', '{"name": ', 400, 'bad_request', undefined],
      ['a JSON array', 'POST', '[1,2]', 422, 'validation_error', 'body'],
      ['a missing name', 'POST', '{"country": "GB"}', 422, 'validation_error', 'name'],
      ['a number for name', 'POST', '{"name": 5}', 422, 'validation_error', 'name'],
      ['an empty name', 'POST', '{"name": ""}', 422, 'validation_error', 'name'],
      ['a name of 101 characters', 'POST', `{"name": "${'n'.repeat(101)}"}`, 422, 'validation_error', 'name'],
      ['a bad country', 'POST', '{"name": "A", "country": "GBR"}', 422, 'validation_error', 'country'],
      ['a number for country', 'POST', '{"name": "A", "country": 44}', 422, 'validation_error', 'country'],
      [
        'a non-URL logo_dark',
        'POST',
        '{"name": "A", "logo_dark": "not a url"}',
        422,
        'validation_error',
        'logo_dark',
      ],
      ['an unknown field', 'POST', '{"name": "A", "id_fka": 3}', 422, 'validation_error', 'id_fka'],
      ['a null name on update', 'PATCH', '{"name": null}', 422, 'validation_error', 'name'],
    ])('refuses %s with a JSON 4xx', async (_label, method, payload, status, code, field) => {
      const competition = await makeCompetition(t.dataSource, { name: 'Untouched Cup' });
      const res = await t.request({
        method: method as 'POST' | 'PATCH',
        url: method === 'POST' ? '/api/competitions' : `/api/competitions/${competition.id}`,
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(status);
      const body = res.json();
      expect(body).toMatchObject({ code });
      if (field === 'body') expect(body.detail[0].loc).toEqual(['body']);
      else if (field) expect(body.detail[0].loc).toEqual(['body', field]);
      expect((await t.request({ url: `/api/competitions/${competition.id}` })).json().name).toBe(
        'Untouched Cup',
      );
    });
  });
});
