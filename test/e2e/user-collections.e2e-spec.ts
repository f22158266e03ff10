import { createClient } from 'redis';
import { Brand } from '../../src/brands/brand.entity';
import { CacheInvalidationService } from '../../src/cache/cache-invalidation.service';
import { Club } from '../../src/clubs/club.entity';
import { FETCH_COORDINATION, FetchCoordination } from '../../src/user-collections/fetch-coordination';
import { UserCollectionsService } from '../../src/user-collections/user-collections.service';
import { makeBrand, makeClub, makeKit } from '../factories/catalog';
import {
  CollectionUpstreamFixture,
  FixtureUser,
  pagedFeed,
  profile,
  upstreamEntry,
} from '../fixtures/collection-upstream';
import { eventually } from '../utils/outbox-context';
import { BASE_REDIS_URL } from '../utils/services';
import { RedisProxy, startRedisProxy } from '../utils/redis-proxy';
import { startTestApp, TestApp } from '../utils/test-app';
import { ENTRY } from '../utils/redis-db';

/** A Redis database of this file's own; only the keys of the users below are touched. */
const REDIS_DB = 12;
const redisUrl = (() => {
  const url = new URL(BASE_REDIS_URL);
  url.pathname = `/${REDIS_DB}`;
  return url.toString();
})();
const WEEK_SECONDS = 7 * 24 * 3600;

/** Every key a user's collection can have written: entry, fetch status, lock, tag index and marker. */
const keysOf = (userid: number): string[] => [
  `${ENTRY}user_collection_${userid}`,
  `fkapi:user_collection_task:${userid}`,
  `fkapi:lock:user_collection:${userid}`,
  `fkapi:tag:user_collection:${userid}`,
  `fkapi:inv:tag:user_collection:${userid}`,
];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('user collections', () => {
  const fixture = new CollectionUpstreamFixture();
  const redis = createClient({ url: redisUrl });
  let env: Record<string, string>;
  let t: TestApp;
  // Ids far from anything else, different on every run, so parallel runs cannot meet.
  const firstUserid = 7_000_000 + Math.floor(Math.random() * 900) * 1000;
  const userids: number[] = [];

  const newUser = (definition: FixtureUser): number => {
    const userid = firstUserid + userids.length + 1;
    userids.push(userid);
    fixture.define(userid, definition);
    return userid;
  };

  const scrape = (userid: number | string, query = '', app = t) =>
    app.request({ method: 'POST', url: `/api/user-collection/${userid}/scrape${query}` });
  const collection = (userid: number | string, query = '', app = t) =>
    app.request({ url: `/api/user-collection/${userid}${query}` });

  /** Polls GET until the collection is stored or its fetch has failed; answers the last response. */
  async function settle(userid: number, app = t) {
    for (let i = 0; i < 250; i++) {
      const res = await collection(userid, '', app);
      if (res.statusCode !== 404 || res.json().task?.state !== 'running') return res;
      await sleep(20);
    }
    throw new Error(`fetch of ${userid} did not settle`);
  }

  /** Waits for the fetch and expects it to have stored the collection (the error says why not). */
  async function stored(userid: number, app = t) {
    const res = await settle(userid, app);
    if (res.statusCode !== 200) throw new Error(`collection ${userid} not stored: ${res.body}`);
    return res;
  }

  // The local catalogue the entries are matched against.
  let adidas: Brand;
  let hummel: Brand;
  let leCoq: Brand;
  let arsenal: Club;
  let atletico: Club;
  let lazio: Club;
  let betis: Club;
  let feyenoord: Club;
  let lyon: Club;
  let malaga: Club;
  let joma: Brand;

  const clubJson = (club: Club) => ({
    id: club.id,
    name: club.name,
    slug: club.slug,
    logo: club.logo,
    logo_dark: club.logoDark,
    country: club.country,
  });
  const brandJson = (brand: Brand) => ({
    id: brand.id,
    name: brand.name,
    slug: brand.slug,
    logo: brand.logo,
    logo_dark: brand.logoDark,
  });

  /** 28 upstream entries on 3 pages, 25 of them kept; the first seven exercise every matching rule. */
  const matchedKits = [
    { team_name: 'ARSENAL', brand_name: 'adidas' },
    { team_name: 'Atletico Madrid', brand_name: 'Hümmel' },
    { team_name: 'Lazio', brand_name: 'Le Coq' },
    { id: 987654, team_name: 'Betis Balompié Sevilla', url: '/betis-1995-96-home-kit/987654/' },
    { id: 4242, team_name: 'Feijenoord Rotterdam', url: '/feyenoord-1999-00-away-kit/4242/' },
    { id: 555, team_name: 'Xyzzy Lyonnais', url: '/olympique-lyonnais-2010-11-third-kit/555/' },
    { team_name: 'MÁLAGA CF', brand_name: 'JOMA' },
  ];
  const collectionPages = (): Record<string, unknown>[][] => [
    [
      ...matchedKits.map((kit) => upstreamEntry(kit)),
      upstreamEntry({}, { custom_team: 'My own team' }),
      ...Array.from({ length: 3 }, () => upstreamEntry()),
      upstreamEntry({}, { custom_brand: 'Homemade' }),
    ],
    Array.from({ length: 10 }, () => upstreamEntry()),
    [...Array.from({ length: 5 }, () => upstreamEntry()), upstreamEntry({}, { custom_season: '1899' })],
  ];

  beforeAll(async () => {
    const baseUrl = await fixture.start();
    await redis.connect();
    env = {
      USER_COLLECTION_UPSTREAM_URL: baseUrl,
      REDIS_URL: redisUrl,
      USER_COLLECTION_PAGE_DELAY_MS: '0',
      USER_COLLECTION_RETRY_BACKOFF_MS: '1',
    };
    t = await startTestApp(env);
    const ds = t.dataSource;
    adidas = await makeBrand(ds, {
      name: 'Adidas',
      slug: 'adidas-kits',
      logo: 'https://img.example/adidas.png',
    });
    hummel = await makeBrand(ds, { name: 'Hummel', slug: 'hummel-kits' });
    leCoq = await makeBrand(ds, { name: 'Le Coq Sportif', slug: 'le-coq-sportif-kits' });
    // Created first, so a plain "contains" match with the lowest id would pick it over Arsenal.
    await makeClub(ds, { name: 'Arsenal Tula', slug: 'arsenal-tula-kits' });
    arsenal = await makeClub(ds, { name: 'Arsenal', slug: 'arsenal-kits' });
    atletico = await makeClub(ds, { name: 'Atlético Madrid', slug: 'atletico-madrid-kits', country: 'ES' });
    lazio = await makeClub(ds, {
      name: 'SS Lazio',
      slug: 'ss-lazio-kits',
      country: 'IT',
      logoDark: 'https://img.example/d.png',
    });
    betis = await makeClub(ds, { name: 'Real Betis', slug: 'real-betis-kits', country: 'ES' });
    await makeKit(ds, { team: betis }, { sourceKitId: '987654' });
    feyenoord = await makeClub(ds, { name: 'Feyenoord', slug: 'feyenoord-kits', country: 'NL' });
    lyon = await makeClub(ds, { name: 'Lyon', slug: 'lyon-kits', country: 'FR' });
    // Both equal "MÁLAGA CF" / "JOMA" once accents are folded; only the second one without folding.
    await makeClub(ds, { name: 'Malaga CF', slug: 'malaga-cf-kits' });
    malaga = await makeClub(ds, { name: 'Málaga CF', slug: 'malaga-kits', country: 'ES' });
    await makeBrand(ds, { name: 'Jomá', slug: 'joma-accented-kits' });
    joma = await makeBrand(ds, { name: 'Joma', slug: 'joma-kits' });
    await makeKit(ds, { team: lyon }, { slug: 'olympique-lyonnais-2001-02-home-kit' });
  });

  afterAll(async () => {
    await t?.close();
    if (userids.length > 0) {
      await redis.unlink(userids.flatMap(keysOf));
      // Our members of the cache's shared indexes.
      await redis.zRem(
        'fkapi:type:user_collection',
        userids.map((id) => `${ENTRY}user_collection_${id}`),
      );
      await redis.zRem(
        'fkapi:tags',
        userids.map((id) => `fkapi:tag:user_collection:${id}`),
      );
    }
    await redis.close();
    await fixture.close();
  });

  describe('a collection fetched from upstream', () => {
    let userid: number;
    let firstPost: ReturnType<TestApp['request']> extends Promise<infer R> ? R : never;

    beforeAll(async () => {
      userid = newUser({
        user: profile({ id: 0, name: 'collector', points: 42 }),
        feed: pagedFeed(collectionPages()),
      });
      firstPost = await scrape(userid);
      await stored(userid);
    });

    it('answers 202 with a task id and where to look, then fetches the profile once and every page once', () => {
      expect(firstPost.statusCode).toBe(202);
      expect(firstPost.json()).toEqual({
        status: 'processing',
        task_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        message: `Scraping started. Check status in 60 seconds by calling GET /api/user-collection/${userid}`,
      });
      expect(fixture.hits(userid, 'user')).toHaveLength(1);
      expect(fixture.hits(userid, 'feed').map((r) => r.page)).toEqual([1, 2, 3]);
    });

    it('serves the first page of 10 with the reference pagination and the profile', async () => {
      const res = await collection(userid, '?page=1&page_size=10');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['status', 'data', 'pagination', 'cached_until']);
      expect(body.status).toBe('ready');
      expect(body.data).toMatchObject({
        success: true,
        total_entries: 25,
        pages_scraped: 3,
        user: { id: 0, name: 'collector', points: 42 },
      });
      expect(body.data.entries).toHaveLength(10);
      expect(body.pagination).toEqual({
        current_page: 1,
        total_pages: 3,
        total_count: 25,
        page_size: 10,
        has_next: true,
        has_previous: false,
        next_page: 2,
        previous_page: null,
      });
    });

    it('serves page 2, and the last page for a page past the end', async () => {
      const all = (await collection(userid, '?page_size=100')).json().data.entries as { id: number }[];
      const second = (await collection(userid, '?page=2&page_size=10')).json();
      expect(second.data.entries.map((e: { id: number }) => e.id)).toEqual(
        all.slice(10, 20).map((e) => e.id),
      );
      expect(second.pagination).toMatchObject({
        current_page: 2,
        has_next: true,
        has_previous: true,
        next_page: 3,
        previous_page: 1,
      });
      const past = (await collection(userid, '?page=99&page_size=10')).json();
      expect(past.data.entries.map((e: { id: number }) => e.id)).toEqual(all.slice(20).map((e) => e.id));
      expect(past.pagination).toMatchObject({
        current_page: 3,
        total_pages: 3,
        has_next: false,
        next_page: null,
      });
    });

    it('defaults to page 1 of 20', async () => {
      const body = (await collection(userid)).json();
      expect(body.data.entries).toHaveLength(20);
      expect(body.pagination).toMatchObject({ current_page: 1, page_size: 20, total_pages: 2 });
    });

    it('keeps upstream order, drops custom entries and strips the private entry and kit fields', async () => {
      const entries = (await collection(userid, '?page_size=100')).json().data.entries as Record<
        string,
        unknown
      >[];
      const kept = collectionPages()
        .flat()
        .filter((e) => e.custom_team === null && e.custom_brand === null && e.custom_season === null);
      expect(kept).toHaveLength(25);
      expect(entries).toHaveLength(25);
      for (const entry of entries) {
        for (const field of [
          'user',
          'purchase_date',
          'purchase_price',
          'currency',
          'estimated_value',
          'value_currency',
          'gender',
          'printing_type',
        ])
          expect(entry).not.toHaveProperty(field);
        for (const field of [
          'sponsor_name',
          'footyheadlines_url',
          'credits',
          'template',
          'carry_over',
          'userid',
          'added_at',
          'updated_at',
          'release_date',
          'image_preview_url',
        ])
          expect(entry.kit).not.toHaveProperty(field);
        expect(entry).toMatchObject({
          size: 'L',
          custom_team: null,
          kit: { season: '2020-21', type: 'Home' },
        });
      }
      const ids = entries.map((e) => e.id as number);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('adds the local brand and club: same name ignoring case, then ignoring accents, then contained, then by kit id, then by URL', async () => {
      const kits = (
        (await collection(userid, '?page_size=8')).json().data.entries as { kit: Record<string, unknown> }[]
      ).map((e) => e.kit);
      expect(kits[0]).toMatchObject({
        team_name: 'ARSENAL',
        brand: brandJson(adidas),
        club: clubJson(arsenal),
      });
      expect(kits[1]).toMatchObject({ brand: brandJson(hummel), club: clubJson(atletico) });
      expect(kits[2]).toMatchObject({ brand: brandJson(leCoq), club: clubJson(lazio) });
      expect(kits[3].club).toEqual(clubJson(betis));
      expect(kits[4].club).toEqual(clubJson(feyenoord));
      expect(kits[5].club).toEqual(clubJson(lyon));
      expect(kits[6]).toMatchObject({ brand: brandJson(joma), club: clubJson(malaga) });
      expect(kits[7]).toMatchObject({
        brand: { name: 'Zzz Unknown Brand' },
        club: { name: 'Zzz Unknown Team' },
      });
      expect(Object.keys(kits[7].brand as object)).toEqual(['name']);
      expect(Object.keys(kits[7].club as object)).toEqual(['name']);
    });

    it('answers a POST with the stored collection (200 "cached") without fetching again', async () => {
      const before = fixture.hits(userid).length;
      const res = await scrape(userid);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.status).toBe('cached');
      expect(body.pagination).toEqual({
        total_count: 25,
        note: `Use GET /api/user-collection/${userid}?page=1&page_size=20 for paginated results`,
      });
      expect(body.data).toMatchObject({
        success: true,
        total_entries: 25,
        pages_scraped: 3,
        user: { name: 'collector' },
      });
      expect(body.data.entries).toHaveLength(25);
      expect(fixture.hits(userid)).toHaveLength(before);
    });

    it('also treats force=false as a plain POST', async () => {
      expect((await scrape(userid, '?force=false')).statusCode).toBe(200);
    });

    it('stores the collection under fkapi:user_collection_<userid> for 7 days, tagged user_collection:<userid>', async () => {
      const ttl = await redis.ttl(`${ENTRY}user_collection_${userid}`);
      expect(ttl).toBeGreaterThan(WEEK_SECONDS - 120);
      expect(ttl).toBeLessThanOrEqual(WEEK_SECONDS);
      const stored = JSON.parse((await redis.get(`${ENTRY}user_collection_${userid}`)) ?? 'null');
      expect(Object.keys(stored).sort()).toEqual([
        'entries',
        'pages_scraped',
        'success',
        'total_entries',
        'user',
      ]);
      const member = `user_collection|${ENTRY}user_collection_${userid}`;
      expect(await redis.zScore(`fkapi:tag:user_collection:${userid}`, member)).not.toBeNull();
      expect(
        await redis.zScore('fkapi:type:user_collection', `${ENTRY}user_collection_${userid}`),
      ).not.toBeNull();
    });

    it('reports cached_until as the real expiry of the stored entry', async () => {
      const key = `${ENTRY}user_collection_${userid}`;
      const ttlMs = await redis.pTTL(key);
      let body = (await collection(userid)).json();
      expect(Math.abs(Date.parse(body.cached_until) - (Date.now() + ttlMs))).toBeLessThan(5000);
      await redis.expire(key, 1000);
      body = (await collection(userid)).json();
      expect(body.cached_until).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(body.cached_until) - (Date.now() + 1000_000))).toBeLessThan(5000);
    });
  });

  describe('force=true', () => {
    it('drops the stored collection and fetches it again', async () => {
      let pages = [[upstreamEntry(), upstreamEntry()]];
      const userid = newUser({
        user: profile({ id: 1 }),
        feed: (request, attempt) => pagedFeed(pages, 100)(request, attempt),
      });
      await scrape(userid);
      expect((await settle(userid)).json().data.total_entries).toBe(2);
      pages = [[upstreamEntry(), upstreamEntry(), upstreamEntry()]];
      const res = await scrape(userid, '?force=true');
      expect(res.statusCode).toBe(202);
      expect((await collection(userid)).statusCode).toBe(404);
      expect((await settle(userid)).json().data.total_entries).toBe(3);
      expect(fixture.hits(userid, 'feed')).toHaveLength(2);
    });
  });

  describe('one fetch per user at a time', () => {
    it('starts one fetch for two concurrent POSTs and gives both its task id', async () => {
      const userid = newUser({
        user: profile({ id: 1 }),
        feed: pagedFeed([[upstreamEntry()], [upstreamEntry()]], 100),
      });
      const [a, b] = await Promise.all([scrape(userid), scrape(userid)]);
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(a.json().task_id).toBe(b.json().task_id);
      await settle(userid);
      expect(fixture.hits(userid, 'user')).toHaveLength(1);
      expect(fixture.hits(userid, 'feed').map((r) => r.page)).toEqual([1, 2]);
    });

    it('while a fetch runs, GET answers 404 saying so and POST answers 202 with the same task', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]], 300) });
      const taskId = (await scrape(userid)).json().task_id;
      const pending = await collection(userid);
      expect(pending.statusCode).toBe(404);
      expect(pending.json()).toMatchObject({
        status: 'not_found',
        task: { task_id: taskId, state: 'running' },
      });
      const again = await scrape(userid, '?force=true');
      expect(again.statusCode).toBe(202);
      expect(again.json().task_id).toBe(taskId);
      await stored(userid);
      expect(fixture.hits(userid, 'feed')).toHaveLength(1);
    });

    it('answers 202 with the task of another instance that holds the lock, and fetches nothing', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      await redis.set(`fkapi:lock:user_collection:${userid}`, 'task-of-another-instance', {
        expiration: { type: 'PX', value: 30_000 },
      });
      const res = await scrape(userid);
      expect(res.statusCode).toBe(202);
      expect(res.json().task_id).toBe('task-of-another-instance');
      await sleep(100);
      expect(fixture.hits(userid)).toHaveLength(0);
      expect(await redis.get(`fkapi:lock:user_collection:${userid}`)).toBe('task-of-another-instance');
    });

    it('starts one fetch when two instances sharing Redis are asked at once', async () => {
      const other = await startTestApp(env);
      try {
        const userid = newUser({
          user: profile({ id: 1 }),
          feed: pagedFeed([[upstreamEntry()], [upstreamEntry()]], 100),
        });
        const url = `/api/user-collection/${userid}/scrape`;
        const [a, b] = await Promise.all([
          t.request({ method: 'POST', url }),
          other.request({ method: 'POST', url }),
        ]);
        expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
        expect(a.json().task_id).toBe(b.json().task_id);
        await stored(userid);
        expect((await other.request({ url: `/api/user-collection/${userid}` })).statusCode).toBe(200);
        expect(fixture.hits(userid, 'feed').map((r) => r.page)).toEqual([1, 2]);
        expect(fixture.hits(userid, 'user')).toHaveLength(1);
      } finally {
        await other.close();
      }
    });

    it('reports a fetch whose instance died (status running, lock gone) as interrupted, and fetches again', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      await redis.set(
        `fkapi:user_collection_task:${userid}`,
        JSON.stringify({ task_id: 'dead-task', state: 'running' }),
        { expiration: { type: 'EX', value: 3600 } },
      );
      const res = await collection(userid);
      expect(res.statusCode).toBe(404);
      expect(res.json().task).toMatchObject({
        task_id: 'dead-task',
        state: 'failed',
        error_code: 'interrupted',
      });
      const retried = await scrape(userid);
      expect(retried.statusCode).toBe(202);
      expect(retried.json().task_id).not.toBe('dead-task');
      await stored(userid);
    });

    it('answers the stored collection when the fetch ends between the status read and the lock read', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]], 300) });
      await scrape(userid);
      const coordination = t.app.get<FetchCoordination>(FETCH_COORDINATION);
      const lockHolder = coordination.lockHolder.bind(coordination);
      // The GET below reads the status "running"; its lock read then waits for the fetch to
      // record "done" and release the lock, the interleaving a second instance can meet.
      const spy = jest.spyOn(coordination, 'lockHolder').mockImplementationOnce(async (id) => {
        await eventually(async () => {
          const task = JSON.parse((await redis.get(`fkapi:user_collection_task:${id}`)) ?? '{}');
          return task.state === 'done' && (await redis.exists(`fkapi:lock:user_collection:${id}`)) === 0;
        });
        return lockHolder(id);
      });
      try {
        const res = await collection(userid);
        expect(spy).toHaveBeenCalled();
        expect(res.statusCode).toBe(200);
        expect(res.json().data.entries).toHaveLength(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('releases the lock when the fetch ends', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      await scrape(userid);
      await settle(userid);
      expect(await redis.exists(`fkapi:lock:user_collection:${userid}`)).toBe(0);
    });
  });

  describe('upstream failures', () => {
    it.each<[string, FixtureUser['feed'], string, string | RegExp]>([
      [
        'a 500 on every attempt',
        () => ({ status: 500, text: 'boom' }),
        'upstream_http_error',
        'HTTP error fetching page 1: 500 Internal Server Error',
      ],
      [
        'a body that is not JSON',
        () => ({ text: '<html>maintenance</html>' }),
        'invalid_upstream_response',
        /^Invalid JSON response from API: /,
      ],
      [
        'success false',
        () => ({ json: { success: false, error: 'User is private' } }),
        'invalid_upstream_response',
        'API returned error: User is private',
      ],
      [
        'a 403',
        () => ({ status: 403, text: 'Forbidden' }),
        'rate_limited',
        'Rate limit exceeded while scraping user collection',
      ],
      [
        'a 429 that outlasts the retries',
        () => ({ status: 429, json: {} }),
        'rate_limited',
        'Rate limit exceeded while scraping user collection',
      ],
    ])(
      'records %s as a failed fetch, stores nothing and keeps answering',
      async (_label, feed, code, message) => {
        const userid = newUser({ user: profile({ id: 1 }), feed });
        expect((await scrape(userid)).statusCode).toBe(202);
        const res = await settle(userid);
        expect(res.statusCode).toBe(404);
        const body = res.json();
        expect(body).toMatchObject({
          code: 'user_collection_not_found',
          status: 'not_found',
          task: { state: 'failed', error_code: code },
        });
        expect(body.task.error).toMatch(message);
        expect(await redis.exists(`${ENTRY}user_collection_${userid}`)).toBe(0);
        expect((await t.request({ url: '/api/health' })).statusCode).toBe(200);
      },
    );

    it('keeps nothing of a collection whose second page fails', async () => {
      const userid = newUser({
        user: profile({ id: 1 }),
        feed: (request) =>
          request.page === 1
            ? { json: { success: true, entries: [upstreamEntry()], more_available: true } }
            : { status: 502, text: 'bad gateway' },
      });
      await scrape(userid);
      const body = (await settle(userid)).json();
      expect(body.task).toMatchObject({
        state: 'failed',
        error: 'HTTP error fetching page 2: 502 Bad Gateway',
      });
    });

    it('retries after a failure when asked again', async () => {
      let healthy = false;
      const userid = newUser({
        user: profile({ id: 1 }),
        feed: (request, attempt) =>
          healthy ? pagedFeed([[upstreamEntry()]])(request, attempt) : { status: 403, text: '' },
      });
      const failed = (await scrape(userid)).json().task_id;
      expect((await settle(userid)).statusCode).toBe(404);
      healthy = true;
      const retried = await scrape(userid);
      expect(retried.statusCode).toBe(202);
      expect(retried.json().task_id).not.toBe(failed);
      await stored(userid);
    });

    it('stores the collection without a profile when user.php fails', async () => {
      const userid = newUser({
        user: () => ({ status: 404, json: { error: 'no user' } }),
        feed: pagedFeed([[upstreamEntry()]]),
      });
      await scrape(userid);
      const body = (await settle(userid)).json();
      expect(body.data).not.toHaveProperty('user');
      expect(body.data.total_entries).toBe(1);
    });

    it('stores an empty collection as page 1 of 1', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[]]) });
      await scrape(userid);
      const body = (await settle(userid)).json();
      expect(body.data).toMatchObject({ entries: [], total_entries: 0, pages_scraped: 1 });
      expect(body.pagination).toMatchObject({
        current_page: 1,
        total_pages: 1,
        total_count: 0,
        has_next: false,
      });
    });
  });

  describe('not fetched yet, forgotten and invalid requests', () => {
    it('answers 404 JSON naming the scrape endpoint before any fetch', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([]) });
      const res = await collection(userid);
      expect(res.statusCode).toBe(404);
      const message = `Collection not found for userid ${userid}. Call POST /api/user-collection/${userid}/scrape first to start scraping.`;
      expect(res.json()).toEqual({
        status: 'not_found',
        message,
        detail: message,
        code: 'user_collection_not_found',
        request_id: expect.any(String),
      });
      expect(fixture.hits(userid)).toHaveLength(0);
    });

    it('drops a stored collection when the cache invalidates user_collection:<userid>', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      await scrape(userid);
      await stored(userid);
      await t.app.get(CacheInvalidationService).invalidateUserCollectionCache(userid);
      expect((await collection(userid)).statusCode).toBe(404);
    });

    it('does not store what a running fetch brings back after the collection was forgotten', async () => {
      let release = (): void => undefined;
      const heldUntil = new Promise<void>((resolve) => (release = resolve));
      const feed = pagedFeed([[upstreamEntry()]]);
      const userid = newUser({
        user: profile({ id: 1 }),
        feed: (request, attempt) => ({ ...feed(request, attempt), heldUntil }),
      });
      await scrape(userid);
      // The fetch is under way: its feed request waits at the upstream until released.
      await eventually(() => fixture.hits(userid, 'feed').length > 0, 20_000);
      await t.app.get(UserCollectionsService).forget(userid);
      release();
      const taskKey = `fkapi:user_collection_task:${userid}`;
      const taskState = async (): Promise<string | undefined> =>
        (JSON.parse((await redis.get(taskKey)) ?? 'null') as { state?: string } | null)?.state;
      await eventually(async () => ![undefined, 'running'].includes(await taskState()), 20_000);
      expect((await collection(userid)).statusCode).toBe(404);
      expect(await redis.exists(`${ENTRY}user_collection_${userid}`)).toBe(0);
      expect(JSON.parse((await redis.get(`fkapi:user_collection_task:${userid}`)) ?? 'null')).toMatchObject({
        state: 'failed',
        error_code: 'not_stored',
      });
    });

    it('forgets a stored collection (invalidateUserCollectionCache)', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      await scrape(userid);
      await stored(userid);
      await t.app.get(UserCollectionsService).forget(userid);
      expect(await redis.exists(`${ENTRY}user_collection_${userid}`)).toBe(0);
      const res = await collection(userid);
      expect(res.statusCode).toBe(404);
      expect(res.json()).not.toHaveProperty('task');
    });

    it.each([
      ['GET', '/api/user-collection/abc', ['path', 'userid'], 'int_parsing'],
      ['GET', '/api/user-collection/0', ['path', 'userid'], 'int_parsing'],
      ['POST', '/api/user-collection/abc/scrape', ['path', 'userid'], 'int_parsing'],
      ['POST', '/api/user-collection/-5/scrape', ['path', 'userid'], 'int_parsing'],
      ['GET', '/api/user-collection/1?page=0', ['query', 'page'], 'greater_than_equal'],
      ['GET', '/api/user-collection/1?page=x', ['query', 'page'], 'int_parsing'],
      ['GET', '/api/user-collection/1?page_size=200', ['query', 'page_size'], 'less_than_equal'],
      ['GET', '/api/user-collection/1?page_size=0', ['query', 'page_size'], 'greater_than_equal'],
      ['POST', '/api/user-collection/1/scrape?force=maybe', ['query', 'force'], 'bool_parsing'],
    ] as const)('answers 422 for %s %s', async (method, url, loc, type) => {
      const res = await t.request({ method, url });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.code).toBe('validation_error');
      expect(body.detail[0]).toMatchObject({ type, loc });
    });
  });

  describe('without Redis (one instance, in memory)', () => {
    let memoryApp: TestApp;
    beforeAll(async () => {
      const { REDIS_URL: _redis, ...withoutRedis } = env;
      memoryApp = await startTestApp(withoutRedis);
    });
    afterAll(async () => memoryApp.close());

    it('fetches once for concurrent POSTs, then serves the collection and its 7-day expiry', async () => {
      const userid = newUser({
        user: profile({ id: 1 }),
        feed: pagedFeed([[upstreamEntry(), upstreamEntry()]], 100),
      });
      const [a, b] = await Promise.all([scrape(userid, '', memoryApp), scrape(userid, '', memoryApp)]);
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(a.json().task_id).toBe(b.json().task_id);
      const body = (await stored(userid, memoryApp)).json();
      expect(body.data.total_entries).toBe(2);
      expect(Math.abs(Date.parse(body.cached_until) - (Date.now() + WEEK_SECONDS * 1000))).toBeLessThan(5000);
      expect(fixture.hits(userid, 'feed')).toHaveLength(1);
      expect((await scrape(userid, '', memoryApp)).json().status).toBe('cached');
      expect(await redis.exists(`${ENTRY}user_collection_${userid}`)).toBe(0);
    });

    it('forgets a collection', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      await scrape(userid, '', memoryApp);
      await stored(userid, memoryApp);
      await memoryApp.app.get(UserCollectionsService).forget(userid);
      expect((await collection(userid, '', memoryApp)).statusCode).toBe(404);
    });
  });

  describe('while Redis is unreachable', () => {
    let proxy: RedisProxy;
    let cutApp: TestApp;
    beforeAll(async () => {
      proxy = await startRedisProxy(redisUrl);
      cutApp = await startTestApp({ ...env, REDIS_URL: proxy.url });
    });
    afterAll(async () => {
      await cutApp.close();
      await proxy.close();
    });

    it('answers 503 JSON to GET and POST without asking upstream, and works again once Redis is back', async () => {
      const userid = newUser({ user: profile({ id: 1 }), feed: pagedFeed([[upstreamEntry()]]) });
      proxy.cut();
      const get = await collection(userid, '', cutApp);
      const post = await scrape(userid, '', cutApp);
      for (const res of [get, post]) {
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({ code: 'cache_unavailable', request_id: expect.any(String) });
      }
      expect(fixture.hits(userid)).toHaveLength(0);
      proxy.restore();
      let res = await scrape(userid, '', cutApp);
      for (let i = 0; i < 100 && res.statusCode === 503; i++) {
        await sleep(100);
        res = await scrape(userid, '', cutApp);
      }
      expect(res.statusCode).toBe(202);
      await stored(userid, cutApp);
    });
  });
});
