import { createClient } from 'redis';
import { startOwnRedis, OwnRedis } from '../chaos/harness/redis-server';
import { makeClub, makeKit, makeSeason } from '../factories/catalog';
import { ENTRY, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, startTestApp, TestApp, useTestAppWithRedis } from '../utils/test-app';

const tagKeys = async (redis: TestRedisDb): Promise<number> => {
  let count = 0;
  for await (const keys of redis.client.scanIterator({ MATCH: 'fkapi:tag:*', COUNT: 1000 }))
    count += keys.length;
  return count;
};

describe('what hostile page numbers can add to Redis', () => {
  let t: TestApp;
  let redis: TestRedisDb;
  useTestAppWithRedis((started) => ({ t, redis } = started));

  it('answers 3,000 distinct pages past the end with the last page, adding fewer than 10 keys', async () => {
    const team = await makeClub(t.dataSource);
    const season = await makeSeason(t.dataSource);
    for (let i = 0; i < 30; i++) await makeKit(t.dataSource, { team, season });
    const url = (page: number) => `/api/kits?club=${team.id}&page=${page}&page_size=100`;
    const last = await t.request({ url: url(1) });
    expect(last.statusCode).toBe(200);
    expect(last.json()).toHaveLength(30);
    const before = await redis.client.dbSize();
    for (let page = 2; page <= 3001; page++) {
      const res = await t.request({ url: url(page) });
      expect({ page, status: res.statusCode }).toEqual({ page, status: 200 });
      if (page % 500 === 2) expect(res.body).toBe(last.body);
    }
    expect((await redis.client.dbSize()) - before).toBeLessThan(10);
  }, 180_000);

  it('tags a list page with a fixed number of tags, whatever the page size', async () => {
    const team = await makeClub(t.dataSource);
    const season = await makeSeason(t.dataSource);
    for (let i = 0; i < 40; i++) await makeKit(t.dataSource, { team, season });
    const before = await tagKeys(redis);
    expect((await t.request({ url: `/api/kits?season=${season.id}&page_size=100` })).json()).toHaveLength(40);
    expect((await t.request({ url: `/api/clubs/${team.id}/kits?page_size=100` })).json()).toHaveLength(40);
    // club_kits / season_kits of this club and season, nothing per kit (40 kits listed).
    expect((await tagKeys(redis)) - before).toBeLessThanOrEqual(4);
  });

  it('still drops a kit list when the admin invalidates one kit on it', async () => {
    const kit = await makeKit(t.dataSource);
    const url = `/api/clubs/${kit.teamId}/kits`;
    await t.request({ url });
    const key = `${ENTRY}kit_club_${kit.teamId}_page=1_page_size=20_season=~`;
    expect(await redis.client.exists(key)).toBe(1);
    const res = await t.request({
      method: 'POST',
      url: '/api/cache/invalidate',
      headers: adminHeaders,
      body: { kit: kit.id },
    });
    expect(res.statusCode).toBe(200);
    expect(await redis.client.exists(key)).toBe(0);
  });
});

describe('a Redis out of memory (maxmemory 48mb, noeviction)', () => {
  let own: OwnRedis;
  let t: TestApp;
  let filler: ReturnType<typeof createClient>;

  beforeAll(async () => {
    own = await startOwnRedis({ args: ['--maxmemory', '48mb', '--maxmemory-policy', 'noeviction'] });
    t = await startTestApp({ REDIS_URL: `${own.url}/0` });
    filler = createClient({ url: `${own.url}/1` });
    await filler.connect();
  });
  afterAll(async () => {
    await filler.close();
    await t.close();
    await own.stop();
  });

  const clubHits = async (): Promise<number> => {
    const stats = (await t.request({ url: '/api/cache/stats', headers: adminHeaders })).json();
    return stats.by_type.find((type: { cache_type: string }) => type.cache_type === 'club')?.hits ?? 0;
  };

  it('keeps serving hits and invalidating while full, and caches again once memory frees', async () => {
    const cached = await makeClub(t.dataSource, { name: 'Full FC', slug: 'full-fc-oom' });
    const bystander = await makeClub(t.dataSource, { name: 'Bystander FC', slug: 'bystander-fc-oom' });
    const url = `/api/clubs/${cached.id}`;
    expect((await t.request({ url })).statusCode).toBe(200);
    expect((await t.request({ url: `/api/clubs/${bystander.id}` })).statusCode).toBe(200);
    const others = await Promise.all(Array.from({ length: 12 }, () => makeClub(t.dataSource)));

    // Big chunks, then small ones: Redis must still be full once a refused command's buffer is freed.
    let fillers = 0;
    let refused = '';
    for (const chunk of ['x'.repeat(16 * 1024), 'x'.repeat(64)]) {
      refused = '';
      while (!refused && fillers < 100_000) {
        try {
          await filler.set(`filler:${fillers++}`, chunk);
        } catch (error) {
          refused = (error as Error).message;
        }
      }
    }
    expect(refused).toMatch(/^OOM /);
    // Redis refuses a write only while already over the limit: one more store puts it there.

    const statuses: number[] = [];
    // Misses whose stores Redis refuses: more than the breaker's failure threshold.
    for (const club of others) statuses.push((await t.request({ url: `/api/clubs/${club.id}` })).statusCode);
    const hitsBefore = await clubHits();
    for (let i = 0; i < 10; i++) statuses.push((await t.request({ url })).statusCode);
    expect((await clubHits()) - hitsBefore).toBe(10);

    // A write is still invalidated: the full Redis does not keep the old name.
    const write = await t.request({
      method: 'PATCH',
      url,
      headers: adminHeaders,
      body: { name: 'Full FC Renamed' },
    });
    statuses.push(write.statusCode);
    const after = await t.request({ url });
    statuses.push(after.statusCode);
    expect(after.json().name).toBe('Full FC Renamed');
    // ... and invalidating did not stop this instance from serving the other entries.
    const hitsAfterWrite = await clubHits();
    for (let i = 0; i < 5; i++)
      statuses.push((await t.request({ url: `/api/clubs/${bystander.id}` })).statusCode);
    expect((await clubHits()) - hitsAfterWrite).toBe(5);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    await filler.flushDb();
    const probe = others[0];
    await t.request({ url: `/api/clubs/${probe.id}` });
    const hitsAfter = await clubHits();
    expect((await t.request({ url: `/api/clubs/${probe.id}` })).statusCode).toBe(200);
    expect(await clubHits()).toBe(hitsAfter + 1);
  });
});
