import { Brand } from '../../src/brands/brand.entity';
import { Kit } from '../../src/kits/kit.entity';
import { makeBrand, makeKit } from '../factories/catalog';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

describe('brands', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  describe('GET /api/brands/search', () => {
    it('finds brands by name ignoring case and accents, exact name first, with the reference fields', async () => {
      const sportif = await makeBrand(t.dataSource, {
        name: 'Le Coq Sportif Pro',
        slug: 'le-coq-sportif-pro-kits',
        logo: 'https://img.example/brands/lcs.png',
        logoDark: 'https://img.example/brands/lcs_l.png',
      });
      const coq = await makeBrand(t.dataSource, { name: 'Le Coq Sportif', slug: 'le-coq-sportif-kits' });
      await makeBrand(t.dataSource, { name: 'Umbro', slug: 'umbro-kits' });
      const res = await t.request({ url: '/api/brands/search?keyword=LE%20C%C3%94Q%20SPORTIF' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([
        { id: coq.id, name: 'Le Coq Sportif', slug: 'le-coq-sportif-kits', logo: null, logo_dark: null },
        {
          id: sportif.id,
          name: 'Le Coq Sportif Pro',
          slug: 'le-coq-sportif-pro-kits',
          logo: 'https://img.example/brands/lcs.png',
          logo_dark: 'https://img.example/brands/lcs_l.png',
        },
      ]);
    });

    it('finds a brand whose name has accents from a keyword without them', async () => {
      const brand = await makeBrand(t.dataSource, { name: 'Kelmé', slug: 'kelme-kits' });
      const res = await t.request({ url: '/api/brands/search?keyword=kelme' });
      expect(res.json()).toEqual([expect.objectContaining({ id: brand.id, name: 'Kelmé' })]);
    });

    it('matches the slug and tolerates a typo through trigram similarity', async () => {
      const brand = await makeBrand(t.dataSource, { name: 'Hummel', slug: 'hummel-kits' });
      const res = await t.request({ url: '/api/brands/search?keyword=humel' });
      expect(res.json<{ id: number }[]>().map((b) => b.id)).toContain(brand.id);
    });

    it('returns at most 10 results', async () => {
      for (let i = 0; i < 12; i++)
        await makeBrand(t.dataSource, { name: `Manybrand ${i}`, slug: `manybrand-${i}-kits` });
      const res = await t.request({ url: '/api/brands/search?keyword=manybrand' });
      expect(res.json()).toHaveLength(10);
    });

    it.each([
      ['blank', '%20%20'],
      ['"%%%"', '%25%25%25'],
    ])('answers [] for a %s keyword', async (_label, keyword) => {
      const res = await t.request({ url: `/api/brands/search?keyword=${keyword}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual([]);
    });

    it.each([
      ['missing keyword', '/api/brands/search', 'missing'],
      ['10 KB keyword', `/api/brands/search?keyword=${'a'.repeat(10240)}`, 'string_too_long'],
      ['NUL byte', '/api/brands/search?keyword=ab%00cd', 'string_pattern_mismatch'],
    ])('refuses a %s with 422', async (_label, url, type) => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0]).toMatchObject({ type, loc: ['query', 'keyword'] });
    });
  });

  describe('GET /api/brands/{brand_id}', () => {
    it('returns the brand', async () => {
      const brand = await makeBrand(t.dataSource, {
        name: 'Puma',
        slug: 'puma-kits',
        logo: 'https://img.example/puma.png',
      });
      const res = await t.request({ url: `/api/brands/${brand.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: brand.id,
        name: 'Puma',
        slug: 'puma-kits',
        logo: 'https://img.example/puma.png',
        logo_dark: null,
      });
    });

    it('answers 404 JSON for an unknown id', async () => {
      const res = await t.request({ url: '/api/brands/987654' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ detail: 'Brand with ID 987654 not found', code: 'brand_not_found' });
    });

    it.each(['abc', '0', '-1', '99999999999999999999', '1.5'])('answers 422 for id %s', async (id) => {
      const res = await t.request({ url: `/api/brands/${id}` });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'int_parsing', loc: ['path', 'brand_id'] });
    });
  });

  describe('writes', () => {
    it('creates a brand with a derived slug (201), changes it (200) and deletes it with its kits (204)', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/brands',
        headers: adminHeaders,
        body: { name: ' Lotto Spórt ', logo: 'https://img.example/lotto.png' },
      });
      expect(created.statusCode).toBe(201);
      const brand = created.json();
      expect(brand).toEqual({
        id: expect.any(Number),
        name: 'Lotto Spórt',
        slug: 'lotto-sport-kits',
        logo: 'https://img.example/lotto.png',
        logo_dark: null,
      });
      const kit = await makeKit(t.dataSource, {
        brand: await t.dataSource.getRepository(Brand).findOneByOrFail({ id: brand.id }),
      });

      const updated = await t.request({
        method: 'PATCH',
        url: `/api/brands/${brand.id}`,
        headers: adminHeaders,
        body: { name: 'Lotto', logo_dark: 'https://img.example/lotto_l.png', logo: null },
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toEqual({
        id: brand.id,
        name: 'Lotto',
        slug: 'lotto-sport-kits',
        logo: null,
        logo_dark: 'https://img.example/lotto_l.png',
      });
      expect((await t.request({ url: `/api/brands/${brand.id}` })).json()).toEqual(updated.json());

      const removed = await t.request({
        method: 'DELETE',
        url: `/api/brands/${brand.id}`,
        headers: adminHeaders,
      });
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect((await t.request({ url: `/api/brands/${brand.id}` })).statusCode).toBe(404);
      expect(await t.dataSource.getRepository(Kit).existsBy({ id: kit.id })).toBe(false);
    });

    it('keeps an explicit slug, and derives it again from the name when set to null', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/api/brands',
        headers: adminHeaders,
        body: { name: 'Joma', slug: 'joma-sport-kits' },
      });
      expect(created.json().slug).toBe('joma-sport-kits');
      const updated = await t.request({
        method: 'PATCH',
        url: `/api/brands/${created.json().id}`,
        headers: adminHeaders,
        body: { name: 'Joma Sport SA', slug: null },
      });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toMatchObject({ name: 'Joma Sport SA', slug: 'joma-sport-sa-kits' });
    });

    it.each([
      ['no key', {}],
      ['a wrong key', { 'x-api-key': 'wrong-key-wrong-key-wrong' }],
    ])('refuses a write with %s (401) and changes nothing', async (_label, headers) => {
      const brand = await makeBrand(t.dataSource, { name: 'Guarded Brand' });
      const create = await t.request({
        method: 'POST',
        url: '/api/brands',
        headers,
        body: { name: 'Sneaky' },
      });
      expect(create.statusCode).toBe(401);
      expect(create.json()).toMatchObject({ detail: 'Unauthorized', code: 'unauthorized' });
      const update = await t.request({
        method: 'PATCH',
        url: `/api/brands/${brand.id}`,
        headers,
        body: { name: 'Renamed' },
      });
      expect(update.statusCode).toBe(401);
      const remove = await t.request({ method: 'DELETE', url: `/api/brands/${brand.id}`, headers });
      expect(remove.statusCode).toBe(401);
      expect((await t.request({ url: '/api/brands/search?keyword=sneaky' })).json()).toEqual([]);
      expect((await t.request({ url: `/api/brands/${brand.id}` })).json().name).toBe('Guarded Brand');
    });

    it('answers 409 for a slug already in use, on create and on update', async () => {
      const a = await makeBrand(t.dataSource, { slug: 'taken-brand-kits' });
      const b = await makeBrand(t.dataSource);
      const create = await t.request({
        method: 'POST',
        url: '/api/brands',
        headers: adminHeaders,
        body: { name: 'X', slug: 'taken-brand-kits' },
      });
      expect(create.statusCode).toBe(409);
      expect(create.json()).toMatchObject({
        code: 'conflict',
        detail: "slug 'taken-brand-kits' is already in use",
      });
      const derived = await t.request({
        method: 'POST',
        url: '/api/brands',
        headers: adminHeaders,
        body: { name: 'Taken Brand' },
      });
      expect(derived.statusCode).toBe(409);
      const update = await t.request({
        method: 'PATCH',
        url: `/api/brands/${b.id}`,
        headers: adminHeaders,
        body: { slug: a.slug },
      });
      expect(update.statusCode).toBe(409);
    });

    it('answers 404 when changing or deleting an unknown brand', async () => {
      const update = await t.request({
        method: 'PATCH',
        url: '/api/brands/765432',
        headers: adminHeaders,
        body: { name: 'X' },
      });
      expect(update.statusCode).toBe(404);
      expect(update.json()).toMatchObject({ detail: 'Brand with ID 765432 not found' });
      const remove = await t.request({ method: 'DELETE', url: '/api/brands/765432', headers: adminHeaders });
      expect(remove.statusCode).toBe(404);
    });

    it.each([
      ['malformed JSON', 'POST', '{"name": ', 400, 'bad_request', undefined],
      ['a JSON array', 'POST', '[1,2]', 422, 'validation_error', 'body'],
      ['a missing name', 'POST', '{"slug": "abc-kits"}', 422, 'validation_error', 'name'],
      ['a number for name', 'POST', '{"name": 5}', 422, 'validation_error', 'name'],
      ['an empty name', 'POST', '{"name": "   "}', 422, 'validation_error', 'name'],
      ['a name of 101 characters', 'POST', `{"name": "${'n'.repeat(101)}"}`, 422, 'validation_error', 'name'],
      ['a slug with spaces', 'POST', '{"name": "A", "slug": "a b"}', 422, 'validation_error', 'slug'],
      [
        'a non-URL logo',
        'POST',
        '{"name": "A", "logo": "javascript:alert(1)"}',
        422,
        'validation_error',
        'logo',
      ],
      ['an unknown field', 'POST', '{"name": "A", "country": "GB"}', 422, 'validation_error', 'country'],
      ['a null name on update', 'PATCH', '{"name": null}', 422, 'validation_error', 'name'],
    ])('refuses %s with a JSON 4xx', async (_label, method, payload, status, code, field) => {
      const brand = await makeBrand(t.dataSource, { name: 'Untouched Brand' });
      const res = await t.request({
        method: method as 'POST' | 'PATCH',
        url: method === 'POST' ? '/api/brands' : `/api/brands/${brand.id}`,
        headers: { ...adminHeaders, 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(status);
      const body = res.json();
      expect(body).toMatchObject({ code });
      if (field === 'body') expect(body.detail[0].loc).toEqual(['body']);
      else if (field) expect(body.detail[0].loc).toEqual(['body', field]);
      expect((await t.request({ url: `/api/brands/${brand.id}` })).json().name).toBe('Untouched Brand');
    });
  });
});
