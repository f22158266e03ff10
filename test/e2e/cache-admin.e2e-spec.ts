import { makeClub } from '../factories/catalog';
import { ENTRY, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, startTestApp, TestApp, useTestAppWithRedis } from '../utils/test-app';

describe('cache administration (Redis)', () => {
  let redis: TestRedisDb;
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t, redis } = started));

  const invalidate = (body: unknown, headers: Record<string, string> = adminHeaders) =>
    t.request({ method: 'POST', url: '/api/cache/invalidate', headers, body });

  describe('authentication', () => {
    it.each([
      ['GET', '/api/cache/stats'],
      ['POST', '/api/cache/invalidate'],
      ['DELETE', '/api/cache/keys/club_1'],
    ] as const)('refuses %s %s without the admin key (401 JSON)', async (method, url) => {
      const res = await t.request({ method, url, body: method === 'POST' ? { all: true } : undefined });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    });

    it('refuses a wrong admin key', async () => {
      const res = await invalidate({ all: true }, { 'x-api-key': 'wrong-key-0123456789' });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('POST /api/cache/invalidate validation', () => {
    it.each([
      ['no target', {}],
      ['two targets', { club: 1, kit: 2 }],
      ['a target and all', { search: true, all: true }],
    ])('answers 422 for %s', async (_label, body) => {
      const res = await invalidate(body);
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'value_error', loc: ['body'] });
    });

    it.each([
      ['a non-integer id', { club: 'five' }, 'club'],
      ['a zero id', { kit: 0 }, 'kit'],
      ['a null id', { season: null }, 'season'],
      ['search: false', { search: false }, 'search'],
      ['all: "yes"', { all: 'yes' }, 'all'],
      ['an empty key', { key: '' }, 'key'],
    ])('answers 422 naming the field for %s', async (_label, body, field) => {
      const res = await invalidate(body);
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0].loc).toEqual(['body', field]);
    });

    it('refuses an unknown field', async () => {
      const res = await invalidate({ clubs: 1 });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0]).toMatchObject({ type: 'extra_forbidden', loc: ['body', 'clubs'] });
    });
  });

  describe('targets', () => {
    it.each([
      ['season', { season: 3 }],
      ['kit', { kit: 42 }],
      ['brand', { brand: 2 }],
      ['competition', { competition: 7 }],
      ['user_collection', { user_collection: 12345 }],
    ])('invalidates a %s by id', async (target, body) => {
      const res = await invalidate(body);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ target, id: Object.values(body)[0], deleted: 0 });
    });

    it("deletes the seed's user_collection_<userid> key with the user collection", async () => {
      await redis.client.set(`${ENTRY}user_collection_777`, '{"kits":[]}');
      expect((await invalidate({ user_collection: 777 })).json()).toEqual({
        target: 'user_collection',
        id: 777,
        deleted: 1,
      });
      expect(await redis.client.exists(`${ENTRY}user_collection_777`)).toBe(0);
    });

    it('deletes one key with DELETE /api/cache/keys/{key}, with or without the fkapi: prefix', async () => {
      const [a, b] = [await makeClub(t.dataSource), await makeClub(t.dataSource)];
      await t.request({ url: `/api/clubs/${a.id}` });
      await t.request({ url: `/api/clubs/${b.id}` });
      const first = await t.request({
        method: 'DELETE',
        url: `/api/cache/keys/club_${a.id}`,
        headers: adminHeaders,
      });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ key: `club_${a.id}`, deleted: true });
      const again = await t.request({
        method: 'DELETE',
        url: `/api/cache/keys/club_${a.id}`,
        headers: adminHeaders,
      });
      expect(again.json()).toEqual({ key: `club_${a.id}`, deleted: false });
      const prefixed = await t.request({
        method: 'DELETE',
        url: `/api/cache/keys/${ENTRY}club_${b.id}`,
        headers: adminHeaders,
      });
      expect(prefixed.json().deleted).toBe(true);
      expect(await redis.client.zScore('fkapi:type:club', `${ENTRY}club_${b.id}`)).toBeNull();
    });

    it('deletes one key named in the body', async () => {
      const club = await makeClub(t.dataSource);
      await t.request({ url: `/api/clubs/${club.id}` });
      expect((await invalidate({ key: `club_${club.id}` })).json()).toEqual({
        target: 'key',
        key: `club_${club.id}`,
        deleted: 1,
      });
      expect(await redis.client.exists(`${ENTRY}club_${club.id}`)).toBe(0);
    });

    it('refuses a key with control characters (422)', async () => {
      const res = await t.request({
        method: 'DELETE',
        url: '/api/cache/keys/club%0A1',
        headers: adminHeaders,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().detail[0].loc).toEqual(['path', 'key']);
    });
  });

  describe('GET /api/cache/stats', () => {
    it('reports entries per cache_type and the hit ratio of this instance', async () => {
      const club = await makeClub(t.dataSource, { name: 'Stats FC', slug: 'stats-fc-kits' });
      await t.request({ url: `/api/clubs/${club.id}` });
      await t.request({ url: `/api/clubs/${club.id}` });
      await t.request({ url: '/api/clubs/search?keyword=stats' });
      const res = await t.request({ url: '/api/cache/stats', headers: adminHeaders });
      expect(res.statusCode).toBe(200);
      const stats = res.json();
      expect(stats).toMatchObject({ store: 'redis', available: true });
      const club_ = stats.by_type.find((row: { cache_type: string }) => row.cache_type === 'club');
      const search = stats.by_type.find((row: { cache_type: string }) => row.cache_type === 'search');
      expect(club_.entries).toBe(await redis.client.zCard('fkapi:type:club'));
      expect(search.entries).toBeGreaterThanOrEqual(1);
      expect(club_.hits).toBeGreaterThanOrEqual(1);
      expect(club_.hit_ratio).toBeCloseTo(club_.hits / (club_.hits + club_.misses), 3);
      expect(stats.total_entries).toBe(
        stats.by_type.reduce((sum: number, row: { entries: number }) => sum + row.entries, 0),
      );
      expect(stats.hits).toBe(
        stats.by_type.reduce((sum: number, row: { hits: number }) => sum + row.hits, 0),
      );
    });
  });

  describe('{"all": true}', () => {
    it('deletes every fkapi: entry and index in batches and leaves other data in the same database alone', async () => {
      for (let i = 0; i < 3; i++) {
        const club = await makeClub(t.dataSource, { name: `Clear ${i}`, slug: `clear-${i}-kits` });
        await t.request({ url: `/api/clubs/${club.id}` });
      }
      await t.request({ url: '/api/clubs/search?keyword=clear' });
      await redis.client.set('other-app:session:1', 'keep me');
      await redis.client.set('fkapiother', 'not ours either');
      await redis.client.hSet('other-app:hash', { a: '1' });
      try {
        const cacheKeys = (await redis.client.keys('fkapi:*')).filter((k) => !k.startsWith('fkapi:inv:'));
        expect(cacheKeys.length).toBeGreaterThan(4);

        const res = await invalidate({ all: true });
        expect(res.statusCode).toBe(200);
        expect(res.json().target).toBe('all');
        expect(res.json().deleted).toBeGreaterThanOrEqual(4);

        const left = (await redis.client.keys('fkapi:*')).filter((k) => !/^fkapi:(inv:|types$)/.test(k));
        expect(left).toEqual([]);
        expect(await redis.client.get('other-app:session:1')).toBe('keep me');
        expect(await redis.client.get('fkapiother')).toBe('not ours either');
        expect(await redis.client.hGetAll('other-app:hash')).toEqual({ a: '1' });
        const stats = (await t.request({ url: '/api/cache/stats', headers: adminHeaders })).json();
        expect(stats.total_entries).toBe(0);
      } finally {
        await redis.client.del(['other-app:session:1', 'fkapiother', 'other-app:hash']);
      }
    });

    it('caches again after a clear', async () => {
      const club = await makeClub(t.dataSource);
      await invalidate({ all: true });
      await t.request({ url: `/api/clubs/${club.id}` });
      expect(await redis.client.exists(`${ENTRY}club_${club.id}`)).toBe(1);
    });
  });
});

describe('cache administration without Redis (in-memory store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('caches in memory and invalidates by tag', async () => {
    const club = await makeClub(t.dataSource, { name: 'Memory FC' });
    await t.request({ url: `/api/clubs/${club.id}` });
    await t.dataSource.query('UPDATE clubs SET name = $1 WHERE id = $2', ['Memory AFC', club.id]);
    expect((await t.request({ url: `/api/clubs/${club.id}` })).json().name).toBe('Memory FC');
    const res = await t.request({
      method: 'POST',
      url: '/api/cache/invalidate',
      headers: adminHeaders,
      body: { club: club.id },
    });
    expect(res.json()).toEqual({ target: 'club', id: club.id, deleted: 1 });
    expect((await t.request({ url: `/api/clubs/${club.id}` })).json().name).toBe('Memory AFC');
  });

  it('reports the memory store in stats and health', async () => {
    const stats = (await t.request({ url: '/api/cache/stats', headers: adminHeaders })).json();
    expect(stats).toMatchObject({ store: 'memory', available: true });
    expect((await t.request({ url: '/api/health' })).json().cache).toBe('connected');
    expect((await t.request({ url: '/api/health/ready' })).json().details.cache).toEqual({
      status: 'up',
      store: 'memory',
    });
  });
});
