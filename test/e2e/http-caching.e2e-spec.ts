import { createHash } from 'node:crypto';
import { makeClub, makeKit, makeSeason } from '../factories/catalog';
import { countQueries } from '../utils/query-counter';
import { ENTRY, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, TestApp, useTestAppWithRedis } from '../utils/test-app';

const strongEtagOf = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

describe('HTTP caching of cached reads (Redis)', () => {
  let redis: TestRedisDb;
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t, redis } = started), {}, { listen: true });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${t.baseUrl}${path}`, { headers });

  describe('validators', () => {
    it('sends a strong ETag of the exact body and Cache-Control no-cache, on the miss and on the hits', async () => {
      const kit = await makeKit(t.dataSource);
      const responses = [];
      for (let i = 0; i < 3; i++) responses.push(await get(`/api/kits/${kit.id}`));
      const bodies = await Promise.all(responses.map((r) => r.text()));
      for (const [i, res] of responses.entries()) {
        expect(res.status).toBe(200);
        expect(res.headers.get('etag')).toBe(strongEtagOf(bodies[i]));
        expect(res.headers.get('cache-control')).toBe('public, no-cache');
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      }
      expect(new Set(bodies).size).toBe(1);
    });

    it('answers 304 without a body to a matching If-None-Match, in each of its forms', async () => {
      const kit = await makeKit(t.dataSource);
      const first = await get(`/api/kits/${kit.id}`);
      const etag = first.headers.get('etag') as string;
      for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
        const res = await get(`/api/kits/${kit.id}`, { 'if-none-match': header });
        expect(res.status).toBe(304);
        expect(await res.text()).toBe('');
        expect(res.headers.get('etag')).toBe(etag);
        expect(res.headers.get('x-request-id')).toBeTruthy();
      }
      const other = await get(`/api/kits/${kit.id}`, { 'if-none-match': '"something-else"' });
      expect(other.status).toBe(200);
      expect(await other.json()).toMatchObject({ id: kit.id });
    });

    it('answers 304 on the request that fills the cache too', async () => {
      const kit = await makeKit(t.dataSource);
      const etag = (await get(`/api/kits/${kit.id}`)).headers.get('etag') as string;
      await redis.client.del(`${ENTRY}kit_${kit.id}`);
      const res = await t.request({ url: `/api/kits/${kit.id}`, headers: { 'if-none-match': etag } });
      expect(res.statusCode).toBe(304);
      expect(res.body).toBe('');
    });

    it('sends no validators on reads that are not cached (random kits, health)', async () => {
      for (const path of ['/api/random-kits?page_size=1', '/api/health']) {
        const res = await get(path);
        expect(res.status).toBe(200);
        expect(res.headers.get('etag')).toBeNull();
      }
    });

    it('changes the ETag of every cached read that shows a kit when the kit is renamed', async () => {
      const club = await makeClub(t.dataSource, { name: 'Etag United' });
      const season = await makeSeason(t.dataSource);
      const kit = await makeKit(t.dataSource, { team: club, season }, { name: 'Etag United Home Original' });
      const paths = [
        `/api/kits/${kit.id}`,
        `/api/kit-json/${kit.id}`,
        `/api/clubs/${club.id}/kits`,
        `/api/kits?club=${club.id}`,
        `/api/kits/search?keyword=Etag%20United`,
        `/api/kits/bulk?slugs=${kit.slug},missing-slug`,
      ];
      const before = new Map<string, string>();
      for (const path of paths) {
        const res = await get(path);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('Original');
        before.set(path, res.headers.get('etag') as string);
      }
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/kits/${kit.id}`,
        headers: adminHeaders,
        body: { name: 'Etag United Home Renamed' },
      });
      expect(patched.statusCode).toBe(200);
      for (const path of paths) {
        const res = await get(path, { 'if-none-match': before.get(path) as string });
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        const body = await res.text();
        expect(body).toContain('Renamed');
        expect(res.headers.get('etag')).not.toBe(before.get(path));
        expect(res.headers.get('etag')).toBe(strongEtagOf(body));
      }
    });
  });

  describe('fast paths', () => {
    const metric = async (series: string) => {
      const text = await (await get('/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return Number(line?.split(' ')[1] ?? 0);
    };

    it('answers a URL seen before on the raw fast path, without any SQL, counting the hit', async () => {
      const kit = await makeKit(t.dataSource);
      await get(`/api/kits/${kit.id}`);
      const hitsBefore = await metric('fkapi_cache_hits_total{cache_type="kit"}');
      const rawBefore = await metric('fkapi_http_fast_path_responses_total{path="raw"}');
      const { count } = await countQueries(t.dataSource, async () => {
        for (let i = 0; i < 5; i++) expect((await get(`/api/kits/${kit.id}`)).status).toBe(200);
      });
      expect(count).toBe(0);
      expect((await metric('fkapi_cache_hits_total{cache_type="kit"}')) - hitsBefore).toBe(5);
      expect((await metric('fkapi_http_fast_path_responses_total{path="raw"}')) - rawBefore).toBe(5);
    });

    it('has one hit path: a request without a socket (inject) is answered by the pipeline', async () => {
      const kit = await makeKit(t.dataSource);
      await t.request({ url: `/api/kits/${kit.id}` });
      const rawBefore = await metric('fkapi_http_fast_path_responses_total{path="raw"}');
      const { count } = await countQueries(t.dataSource, async () => {
        const res = await t.request({ url: `/api/kits/${kit.id}` });
        expect(res.statusCode).toBe(200);
        expect(res.headers.etag).toBe(strongEtagOf(res.body));
      });
      expect(count).toBe(0); // a cache hit, through the pipeline
      expect((await metric('fkapi_http_fast_path_responses_total{path="raw"}')) - rawBefore).toBe(0);
    });

    it('sends the same headers as the full pipeline, with its own request id', async () => {
      const kit = await makeKit(t.dataSource);
      const throughPipeline = await get(`/api/kits/${kit.id}`);
      const fromFastPath = await get(`/api/kits/${kit.id}`, { 'x-request-id': 'trace-me-42' });
      const names = (res: Response) => [...res.headers.keys()].sort();
      expect(names(fromFastPath)).toEqual(names(throughPipeline));
      for (const name of names(throughPipeline).filter(
        (n) => !['date', 'x-request-id', 'x-response-time'].includes(n),
      )) {
        expect({ name, value: fromFastPath.headers.get(name) }).toEqual({
          name,
          value: throughPipeline.headers.get(name),
        });
      }
      expect(fromFastPath.headers.get('x-request-id')).toBe('trace-me-42');
      expect(await fromFastPath.text()).toBe(await throughPipeline.text());
    });

    it('gives each raw answer of one URL its own request id, validators and length, 200s and 304s mixed', async () => {
      const kit = await makeKit(t.dataSource, {}, { name: 'Mixed Answers Original' });
      const path = `/api/kits/${kit.id}`;
      await get(path);
      const rawBefore = await metric('fkapi_http_fast_path_responses_total{path="raw"}');
      const first = await get(path, { 'x-request-id': 'first-1' });
      const etag = first.headers.get('etag') as string;
      const notModified = await get(path, { 'x-request-id': 'second-2', 'if-none-match': etag });
      const again = await get(path, { 'x-request-id': 'third-3' });
      expect([first.status, notModified.status, again.status]).toEqual([200, 304, 200]);
      expect(notModified.headers.get('x-request-id')).toBe('second-2');
      expect(notModified.headers.get('content-length')).toBeNull();
      expect(notModified.headers.get('content-type')).toBeNull();
      expect(await notModified.text()).toBe('');
      const body = await again.text();
      expect(again.headers.get('x-request-id')).toBe('third-3');
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));

      // Another value under the same URL: new ETag and length in the same header slots.
      await t.dataSource.query('UPDATE kits SET name = $1 WHERE id = $2', [
        'Mixed Answers Renamed To Something Longer',
        kit.id,
      ]);
      expect(
        (
          await t.request({
            method: 'POST',
            url: '/api/cache/invalidate',
            headers: adminHeaders,
            body: { kit: kit.id },
          })
        ).statusCode,
      ).toBe(200);
      await get(path);
      const renamed = await get(path);
      const renamedBody = await renamed.text();
      expect(renamedBody).toContain('Something Longer');
      expect(renamed.headers.get('etag')).toBe(strongEtagOf(renamedBody));
      expect(renamed.headers.get('content-length')).toBe(String(Buffer.byteLength(renamedBody)));
      expect(
        (await metric('fkapi_http_fast_path_responses_total{path="raw"}')) - rawBefore,
      ).toBeGreaterThanOrEqual(4);
    });

    it('lets a URL whose entry was invalidated through the pipeline again', async () => {
      const kit = await makeKit(t.dataSource, {}, { name: 'Before Invalidation' });
      await get(`/api/kits/${kit.id}`);
      await t.dataSource.query('UPDATE kits SET name = $1 WHERE id = $2', ['After Invalidation', kit.id]);
      const invalidated = await t.request({
        method: 'POST',
        url: '/api/cache/invalidate',
        headers: adminHeaders,
        body: { kit: kit.id },
      });
      expect(invalidated.statusCode).toBe(200);
      const fresh = (await (await get(`/api/kits/${kit.id}`)).json()) as { name: string };
      expect(fresh.name).toBe('After Invalidation');
    });

    it('does not learn from other URLs: another query string goes through validation', async () => {
      const kit = await makeKit(t.dataSource);
      await get(`/api/kits/${kit.id}`);
      const bad = await get(`/api/kits/${kit.id}x`);
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ code: expect.any(String), request_id: expect.any(String) });
    });
  });
});

describe('HTTP caching with read authentication and rate limits', () => {
  const READ_KEY = 'reader-key-0123456789abcdef';
  let t: TestApp;
  useTestAppWithRedis(
    (started) => ({ t } = started),
    { API_AUTH_ENABLED: 'true', API_KEYS: READ_KEY, RATE_LIMIT_PER_HOUR: '3' },
    { listen: true },
  );

  it('marks responses private, and still refuses a learned URL to a client without a key', async () => {
    const kit = await makeKit(t.dataSource);
    const withKey = await fetch(`${t.baseUrl}/api/kits/${kit.id}`, { headers: { 'x-api-key': READ_KEY } });
    expect(withKey.status).toBe(200);
    expect(withKey.headers.get('cache-control')).toBe('private, no-cache');
    const withoutKey = await fetch(`${t.baseUrl}/api/kits/${kit.id}`);
    expect(withoutKey.status).toBe(401);
    expect(await withoutKey.json()).toMatchObject({ code: expect.any(String), detail: expect.anything() });
    const wrongKey = await fetch(`${t.baseUrl}/api/kits/${kit.id}`, {
      headers: { 'x-api-key': 'x'.repeat(30) },
    });
    expect(wrongKey.status).toBe(401);
  });

  it('lets a keyed client past the hourly limit on a learned URL', async () => {
    const kit = await makeKit(t.dataSource);
    const keyed = { 'x-api-key': READ_KEY };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await fetch(`${t.baseUrl}/api/kits/${kit.id}`, { headers: keyed })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });
});

describe('HTTP caching under the rate limit', () => {
  let t: TestApp;
  useTestAppWithRedis(
    (started) => ({ t } = started),
    { RATE_LIMIT_PER_HOUR: '3', CACHE_HTTP_MAX_AGE_SECONDS: '60' },
    { listen: true },
  );

  it('sends max-age from CACHE_HTTP_MAX_AGE_SECONDS', async () => {
    const kit = await makeKit(t.dataSource);
    const res = await t.request({ url: `/api/kits/${kit.id}`, headers: adminHeaders });
    expect(res.headers['cache-control']).toBe('public, max-age=60');
  });

  it('answers 429 JSON to the fourth request of an unkeyed client even for a learned URL', async () => {
    const kit = await makeKit(t.dataSource);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${t.baseUrl}/api/kits/${kit.id}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await fetch(`${t.baseUrl}/api/kits/${kit.id}`);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.json()).toMatchObject({ code: expect.any(String) });
  });
});
