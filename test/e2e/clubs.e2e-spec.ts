import { makeClub, makeKit } from '../factories/catalog';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

describe('clubs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe('GET /api/clubs/search', () => {
    it('finds clubs by name ignoring case and accents, exact name first, with the reference fields', async () => {
      const tula = await makeClub(t.dataSource, { name: 'Arsenal Tula', slug: 'arsenal-tula-kits' });
      const arsenal = await makeClub(t.dataSource, { name: 'Arsenal', slug: 'arsenal-kits', logo: null });
      await makeClub(t.dataSource, { name: 'Chelsea', slug: 'chelsea-kits' });
      const res = await t.request({ url: '/api/clubs/search?keyword=ARSÉNAL' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        { id: arsenal.id, name: 'Arsenal', slug: 'arsenal-kits', logo: null },
        { id: tula.id, name: 'Arsenal Tula', slug: 'arsenal-tula-kits', logo: tula.logo },
      ]);
    });

    it('matches the slug and tolerates a typo through trigram similarity', async () => {
      const club = await makeClub(t.dataSource, {
        name: 'Borussia Dortmund',
        slug: 'borussia-dortmund-kits',
      });
      const res = await t.request({ url: '/api/clubs/search?keyword=dortmnd' });
      expect(res.json<{ id: number }[]>().map((c) => c.id)).toContain(club.id);
    });

    it('returns at most 10 results', async () => {
      for (let i = 0; i < 12; i++)
        await makeClub(t.dataSource, { name: `Manyclub ${i}`, slug: `manyclub-${i}-kits` });
      const res = await t.request({ url: '/api/clubs/search?keyword=manyclub' });
      expect(res.json()).toHaveLength(10);
    });

    it('answers [] for a blank keyword', async () => {
      const res = await t.request({ url: '/api/clubs/search?keyword=%20%20' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([]);
    });

    it('treats LIKE metacharacters literally', async () => {
      const res = await t.request({ url: '/api/clubs/search?keyword=%25%25%25' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([]);
    });

    it.each([
      ['missing keyword', '/api/clubs/search', 'missing'],
      ['10 KB keyword', `/api/clubs/search?keyword=${'a'.repeat(10240)}`, 'string_too_long'],
      ['NUL byte', '/api/clubs/search?keyword=ab%00cd', 'string_pattern_mismatch'],
      ['repeated keyword', '/api/clubs/search?keyword=a&keyword=b', 'string_type'],
    ])('refuses a %s with 422', async (_label, url, type) => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0]).toMatchObject({ type, loc: ['query', 'keyword'] });
      expect(typeof body.request_id).toBe('string');
    });

    it('refuses invalid UTF-8 with 400 JSON', async () => {
      const res = await t.request({ url: '/api/clubs/search?keyword=%C3%28' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_encoding' });
    });
  });

  describe('GET /api/clubs/{club_id}', () => {
    it('returns the club with its id', async () => {
      const club = await makeClub(t.dataSource, {
        name: 'Málaga',
        slug: 'malaga-kits',
        country: 'ES',
        idFka: 77,
      });
      const res = await t.request({ url: `/api/clubs/${club.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: club.id,
        id_fka: 77,
        name: 'Málaga',
        slug: 'malaga-kits',
        logo: club.logo,
        logo_dark: null,
        country: 'ES',
      });
    });

    it('answers 404 JSON for an unknown id', async () => {
      const res = await t.request({ url: '/api/clubs/987654' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ detail: 'Club with ID 987654 not found', code: 'club_not_found' });
    });

    it.each(['abc', '0', '-1', '99999999999999999999', '1.5'])('answers 422 for id %s', async (id) => {
      const res = await t.request({ url: `/api/clubs/${id}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'int_parsing', loc: ['path', 'club_id'] });
    });
  });

  describe('GET /api/random-clubs/', () => {
    it('pages clubs with a real logo and their kit counts', async () => {
      const withKits = await makeClub(t.dataSource, { name: 'Random With Kits' });
      await makeKit(t.dataSource, { team: withKits });
      await makeKit(t.dataSource, { team: withKits });
      const res = await t.request({ url: '/api/random-clubs/?page=1&page_size=100' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      const found = body.clubs.find((c: { id: number }) => c.id === withKits.id);
      expect(found).toMatchObject({ name: 'Random With Kits', kit_count: 2, country: 'GB' });
      expect(
        body.clubs.every((c: { logo: string | null }) => typeof c.logo === 'string' && c.logo !== ''),
      ).toBe(true);
      expect(body.pagination).toMatchObject({ current_page: 1, has_previous: false, previous_page: null });
      expect(body.pagination.total_count).toBe(body.clubs.length);
    });

    it('gives the last page for a page past the end', async () => {
      const res = await t.request({ url: '/api/random-clubs?page=999&page_size=1' });
      const { pagination } = res.json();
      expect(pagination.current_page).toBe(pagination.total_pages);
      expect(pagination.has_next).toBe(false);
    });

    it.each(['page=0', 'page=-1', 'page=abc', 'page_size=0', 'page_size=1000', 'page_size=2.5'])(
      'answers 422 for %s',
      async (q) => {
        const res = await t.request({ url: `/api/random-clubs/?${q}` });
        expect(res.statusCode).toBe(422);
        expect(res.json().code).toBe('validation_error');
      },
    );
  });

  describe('writes', () => {
    it('creates a club with a derived slug (201), changes it (200) and deletes it (204)', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: adminHeaders,
        body: { name: 'Real Betis Balompié', country: 'es' },
      });
      expect(created.statusCode).toBe(201);
      const club = created.json();
      expect(club).toMatchObject({
        name: 'Real Betis Balompié',
        slug: 'real-betis-balompie-kits',
        country: 'ES',
        logo: null,
      });

      const updated = await t.request({
        method: 'PATCH',
        url: `/api/clubs/${club.id}`,
        headers: adminHeaders,
        body: { name: 'Real Betis' },
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toMatchObject({
        id: club.id,
        name: 'Real Betis',
        slug: 'real-betis-balompie-kits',
      });
      expect((await t.request({ url: `/api/clubs/${club.id}` })).json().name).toBe('Real Betis');

      const removed = await t.request({
        method: 'DELETE',
        url: `/api/clubs/${club.id}`,
        headers: adminHeaders,
      });
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect((await t.request({ url: `/api/clubs/${club.id}` })).statusCode).toBe(404);
    });

    it.each([
      ['no key', {}],
      ['a wrong key', { 'x-api-key': 'wrong-key-wrong-key-wrong' }],
    ])('refuses a write with %s (401) and changes nothing', async (_label, headers) => {
      const res = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers,
        body: { name: 'Sneaky FC' },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ detail: 'Unauthorized', code: 'unauthorized' });
      expect((await t.request({ url: '/api/clubs/search?keyword=sneaky' })).json()).toEqual([]);
    });

    it('answers 409 for a slug already in use, on create and on update', async () => {
      const a = await makeClub(t.dataSource, { slug: 'taken-kits' });
      const b = await makeClub(t.dataSource);
      const create = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: adminHeaders,
        body: { name: 'X', slug: 'taken-kits' },
      });
      expect(create.statusCode).toBe(409);
      expect(create.json()).toMatchObject({ code: 'conflict' });
      const update = await t.request({
        method: 'PATCH',
        url: `/api/clubs/${b.id}`,
        headers: adminHeaders,
        body: { slug: a.slug },
      });
      expect(update.statusCode).toBe(409);
    });

    it.each([
      ['name', { name: null }],
      ['slug', { slug: null }],
    ])('refuses to clear the %s with 422 naming it', async (field, body) => {
      const club = await makeClub(t.dataSource);
      const res = await t.request({
        method: 'PATCH',
        url: `/api/clubs/${club.id}`,
        headers: adminHeaders,
        body,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0].loc).toEqual(['body', field]);
    });

    it('answers 404 when changing or deleting an unknown club', async () => {
      expect(
        (
          await t.request({
            method: 'PATCH',
            url: '/api/clubs/765432',
            headers: adminHeaders,
            body: { name: 'X' },
          })
        ).statusCode,
      ).toBe(404);
      expect(
        (await t.request({ method: 'DELETE', url: '/api/clubs/765432', headers: adminHeaders })).statusCode,
      ).toBe(404);
    });

    it.each([
      ['malformed JSON', '{"name": ', 400, 'bad_request'],
      ['a JSON array', '[1,2]', 422, 'validation_error'],
      ['a number for name', '{"name": 5}', 422, 'validation_error'],
      ['an empty name', '{"name": "   "}', 422, 'validation_error'],
      ['an unknown field', '{"name": "A", "colour": "red"}', 422, 'validation_error'],
      ['a bad country', '{"name": "A", "country": "GBR"}', 422, 'validation_error'],
      ['a non-URL logo', '{"name": "A", "logo": "javascript:alert(1)"}', 422, 'validation_error'],
    ])('refuses %s with a JSON 4xx', async (_label, payload, status, code) => {
      const res = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ code });
    });

    it('refuses a body over the size limit with 413 JSON', async () => {
      const payload = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
      const res = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'payload_too_large' });
    });
  });
});
