import { makeClub } from '../factories/catalog';
import { countQueries } from '../utils/query-counter';
import { ENTRY, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, TestApp, useTestAppWithRedis } from '../utils/test-app';

describe('cached club reads (Redis)', () => {
  let redis: TestRedisDb;
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t, redis } = started));

  const renameBehindTheCachesBack = (id: number, name: string) =>
    t.dataSource.query('UPDATE clubs SET name = $1 WHERE id = $2', [name, id]);

  describe('GET /api/clubs/{club_id}', () => {
    it('stores the response under fkapi:club_<id> as JSON with the default TTL of 3600 s', async () => {
      const club = await makeClub(t.dataSource, { name: 'Ajax' });
      const res = await t.request({ url: `/api/clubs/${club.id}` });
      expect(res.statusCode).toBe(200);
      expect(JSON.parse((await redis.client.get(`${ENTRY}club_${club.id}`)) ?? 'null')).toEqual(res.json());
      const ttl = await redis.client.pTTL(`${ENTRY}club_${club.id}`);
      expect(ttl).toBeGreaterThan(3_590_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    });

    it('answers the second read from the cache without asking PostgreSQL', async () => {
      const club = await makeClub(t.dataSource, { name: 'Feyenoord' });
      await t.request({ url: `/api/clubs/${club.id}` });
      await renameBehindTheCachesBack(club.id, 'Renamed without invalidation');
      const { count } = await countQueries(t.dataSource, async () => {
        const res = await t.request({ url: `/api/clubs/${club.id}` });
        expect(res.json().name).toBe('Feyenoord');
      });
      expect(count).toBe(0);
    });

    it('serves the fresh row after the club is invalidated through the admin endpoint', async () => {
      const club = await makeClub(t.dataSource, { name: 'PSV' });
      await t.request({ url: `/api/clubs/${club.id}` });
      await renameBehindTheCachesBack(club.id, 'PSV Eindhoven');
      const invalidated = await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { club: club.id },
      });
      expect(invalidated.statusCode).toBe(200);
      expect(invalidated.json()).toEqual({ target: 'club', id: club.id, deleted: 1 });
      expect((await t.request({ url: `/api/clubs/${club.id}` })).json().name).toBe('PSV Eindhoven');
    });

    it('keeps the entries of other clubs when one club is invalidated', async () => {
      const [a, b] = [await makeClub(t.dataSource), await makeClub(t.dataSource)];
      await t.request({ url: `/api/clubs/${a.id}` });
      await t.request({ url: `/api/clubs/${b.id}` });
      await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { club: a.id },
      });
      expect(await redis.client.exists(`${ENTRY}club_${a.id}`)).toBe(0);
      expect(await redis.client.exists(`${ENTRY}club_${b.id}`)).toBe(1);
    });

    it('does not cache a 404', async () => {
      const res = await t.request({ url: '/api/clubs/987654' });
      expect(res.statusCode).toBe(404);
      expect(await redis.client.exists(`${ENTRY}club_987654`)).toBe(0);
    });

    it('does not let validation failures touch the cache', async () => {
      const res = await t.request({ url: '/api/clubs/abc' });
      expect(res.statusCode).toBe(422);
      expect(await redis.client.keys(`${ENTRY}club_abc*`)).toEqual([]);
    });

    it('runs one database query for 500 concurrent requests on a cold key', async () => {
      const club = await makeClub(t.dataSource, { name: 'Twente' });
      const { count } = await countQueries(t.dataSource, async () => {
        const responses = await Promise.all(
          Array.from({ length: 500 }, () => t.request({ url: `/api/clubs/${club.id}` })),
        );
        expect(responses.every((r) => r.statusCode === 200 && r.json().name === 'Twente')).toBe(true);
      });
      expect(count).toBe(1);
    });
  });

  describe('GET /api/clubs/search', () => {
    it('stores results under fkapi:search_clubs_<keyword>, tagged with every club listed and the search families', async () => {
      const club = await makeClub(t.dataSource, { name: 'Zwolle Boys', slug: 'zwolle-boys-kits' });
      const res = await t.request({ url: '/api/clubs/search?keyword=zwolle' });
      expect(res.json().map((c: { id: number }) => c.id)).toEqual([club.id]);
      expect(await redis.client.exists(`${ENTRY}search_clubs_zwolle`)).toBe(1);
      for (const tag of [`club:${club.id}`, 'search', 'search:clubs']) {
        expect(await redis.client.zRange(`fkapi:tag:${tag}`, 0, -1)).toContain(
          `search|${ENTRY}search_clubs_zwolle`,
        );
      }
    });

    it('shares one entry between keywords that differ only in ASCII case and surrounding spaces', async () => {
      await makeClub(t.dataSource, { name: 'Heracles', slug: 'heracles-kits' });
      await t.request({ url: '/api/clubs/search?keyword=Heracles' });
      await t.request({ url: '/api/clubs/search?keyword=%20HERACLES%20' });
      expect(await redis.client.keys(`${ENTRY}search_clubs_*racles*`)).toEqual([
        `${ENTRY}search_clubs_heracles`,
      ]);
    });

    it('percent-encodes the keyword in the key so a glob or separator in it is inert', async () => {
      await t.request({ url: '/api/clubs/search?keyword=a_b*c%3Dd' });
      expect(await redis.client.exists(`${ENTRY}search_clubs_a%5Fb%2Ac%3Dd`)).toBe(1);
    });

    it('drops a search listing a club when that club is invalidated, and every search with {"search": true}', async () => {
      const club = await makeClub(t.dataSource, { name: 'Vitesse', slug: 'vitesse-kits' });
      await makeClub(t.dataSource, { name: 'Volendam', slug: 'volendam-kits' });
      await t.request({ url: '/api/clubs/search?keyword=vitesse' });
      await t.request({ url: '/api/clubs/search?keyword=volendam' });
      await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { club: club.id },
      });
      expect(await redis.client.exists(`${ENTRY}search_clubs_vitesse`)).toBe(0);
      expect(await redis.client.exists(`${ENTRY}search_clubs_volendam`)).toBe(1);
      const res = await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { search: true },
      });
      expect(res.json()).toMatchObject({ target: 'search' });
      expect(res.json().deleted).toBeGreaterThanOrEqual(1);
      expect(await redis.client.exists(`${ENTRY}search_clubs_volendam`)).toBe(0);
    });

    it('serves the cached list until invalidated, then the fresh one', async () => {
      const club = await makeClub(t.dataSource, { name: 'Groningen', slug: 'groningen-kits' });
      await t.request({ url: '/api/clubs/search?keyword=groningen' });
      await renameBehindTheCachesBack(club.id, 'Groningen FC');
      expect((await t.request({ url: '/api/clubs/search?keyword=groningen' })).json()[0].name).toBe(
        'Groningen',
      );
      await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { search: true },
      });
      expect((await t.request({ url: '/api/clubs/search?keyword=groningen' })).json()[0].name).toBe(
        'Groningen FC',
      );
    });
  });

  describe('writes through the API (after-commit invalidation)', () => {
    it('drops the club detail and the searches listing it when the club is renamed, and nothing else', async () => {
      const club = await makeClub(t.dataSource, { name: 'Utrecht', slug: 'utrecht-kits' });
      const other = await makeClub(t.dataSource, { name: 'Sparta', slug: 'sparta-kits' });
      await t.request({ url: `/api/clubs/${club.id}` });
      await t.request({ url: `/api/clubs/${other.id}` });
      await t.request({ url: '/api/clubs/search?keyword=utrecht' });
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/clubs/${club.id}`,
        headers: adminHeaders,
        body: { name: 'FC Utrecht' },
      });
      expect(patched.statusCode).toBe(200);
      expect(await redis.client.exists(`${ENTRY}club_${club.id}`)).toBe(0);
      expect(await redis.client.exists(`${ENTRY}search_clubs_utrecht`)).toBe(0);
      expect(await redis.client.exists(`${ENTRY}club_${other.id}`)).toBe(1);
      expect((await t.request({ url: `/api/clubs/${club.id}` })).json().name).toBe('FC Utrecht');
      expect((await t.request({ url: '/api/clubs/search?keyword=utrecht' })).json()[0].name).toBe(
        'FC Utrecht',
      );
    });

    it('answers 404 after the club is deleted', async () => {
      const club = await makeClub(t.dataSource);
      expect((await t.request({ url: `/api/clubs/${club.id}` })).statusCode).toBe(200);
      await t.request({ method: 'DELETE', url: `/api/clubs/${club.id}`, headers: adminHeaders });
      expect((await t.request({ url: `/api/clubs/${club.id}` })).statusCode).toBe(404);
    });

    it('lets a new club appear in a cached search that did not list it', async () => {
      await t.request({ url: '/api/clubs/search?keyword=almere' });
      const created = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: adminHeaders,
        body: { name: 'Almere City' },
      });
      expect(created.statusCode).toBe(201);
      const res = await t.request({ url: '/api/clubs/search?keyword=almere' });
      expect(res.json().map((c: { name: string }) => c.name)).toEqual(['Almere City']);
    });
  });

  it('never caches random clubs', async () => {
    await makeClub(t.dataSource);
    await t.request({ url: '/api/random-clubs' });
    const types = await redis.client.sMembers('fkapi:types');
    expect(types.some((type) => type.includes('random'))).toBe(false);
    expect(await redis.client.keys(`${ENTRY}random*`)).toEqual([]);
  });
});
