import { makeClub } from '../factories/catalog';
import { sampleValue } from '../utils/prometheus-text';

import { adminHeaders, TestApp, useTestAppWithRedis } from '../utils/test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  // Read authentication on and a tight rate limit: a scraper must get neither 401 nor 429.
  useTestAppWithRedis((started) => ({ t } = started), {
    API_AUTH_ENABLED: 'true',
    API_KEYS: 'reader-key-0123456789',
    RATE_LIMIT_PER_HOUR: '2',
  });

  const reader = { 'x-api-key': 'reader-key-0123456789' };
  const scrape = async (): Promise<string> => {
    const res = await t.request({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  it('is open without an API key, in the Prometheus text format, and never rate limited', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await t.request({ url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/plain/);
    }
  });

  it("declares the seed's three cache metrics with exactly its names and the cache_type label", async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE fkapi_cache_hits_total counter');
    expect(text).toContain('# TYPE fkapi_cache_misses_total counter');
    expect(text).toContain('# TYPE fkapi_cache_entries gauge');
    for (const cacheType of ['club', 'season', 'kit', 'search', 'brand', 'competition', 'user_collection']) {
      expect(sampleValue(text, 'fkapi_cache_entries', { cache_type: cacheType })).toBeDefined();
    }
  });

  it('moves misses, then hits, then the entries gauge as a club is read twice', async () => {
    const club = await makeClub(t.dataSource);
    const before = await scrape();
    const misses = sampleValue(before, 'fkapi_cache_misses_total', { cache_type: 'club' }) ?? 0;
    const hits = sampleValue(before, 'fkapi_cache_hits_total', { cache_type: 'club' }) ?? 0;
    const entries = sampleValue(before, 'fkapi_cache_entries', { cache_type: 'club' }) ?? 0;

    await t.request({ url: `/api/clubs/${club.id}`, headers: reader });
    const afterMiss = await scrape();
    expect(sampleValue(afterMiss, 'fkapi_cache_misses_total', { cache_type: 'club' })).toBe(misses + 1);
    expect(sampleValue(afterMiss, 'fkapi_cache_hits_total', { cache_type: 'club' }) ?? 0).toBe(hits);
    expect(sampleValue(afterMiss, 'fkapi_cache_entries', { cache_type: 'club' })).toBe(entries + 1);

    await t.request({ url: `/api/clubs/${club.id}`, headers: reader });
    const afterHit = await scrape();
    expect(sampleValue(afterHit, 'fkapi_cache_hits_total', { cache_type: 'club' })).toBe(hits + 1);
    expect(sampleValue(afterHit, 'fkapi_cache_misses_total', { cache_type: 'club' })).toBe(misses + 1);
  });

  it('labels searches with the search family and counts entries per family', async () => {
    await makeClub(t.dataSource, { name: 'Metrics United', slug: 'metrics-united-kits' });
    const before = sampleValue(await scrape(), 'fkapi_cache_entries', { cache_type: 'search' }) ?? 0;
    await t.request({ url: '/api/clubs/search?keyword=metrics', headers: reader });
    const text = await scrape();
    expect(sampleValue(text, 'fkapi_cache_misses_total', { cache_type: 'search' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(text, 'fkapi_cache_entries', { cache_type: 'search' })).toBe(before + 1);
  });

  it('counts invalidations, the entries they delete and their duration', async () => {
    const club = await makeClub(t.dataSource);
    await t.request({ url: `/api/clubs/${club.id}`, headers: reader });
    const before = await scrape();
    await t.request({
      method: 'POST',
      url: '/api/cache/invalidate',
      headers: adminHeaders,
      body: { club: club.id },
    });
    const after = await scrape();
    const delta = (name: string) => (sampleValue(after, name) ?? 0) - (sampleValue(before, name) ?? 0);
    expect(delta('fkapi_cache_invalidations_total')).toBe(1);
    expect(delta('fkapi_cache_invalidated_entries_total')).toBe(1);
    expect(delta('fkapi_cache_invalidation_duration_seconds_count')).toBe(1);
    expect(after).toContain('# TYPE fkapi_cache_errors_total counter');
  });

  it('times HTTP requests by route pattern and status, not by raw URL', async () => {
    const club = await makeClub(t.dataSource);
    const labels = { method: 'GET', route: '/api/clubs/:club_id', status_code: '200' };
    const before = sampleValue(await scrape(), 'fkapi_http_request_duration_seconds_count', labels) ?? 0;
    await t.request({ url: `/api/clubs/${club.id}`, headers: reader });
    await t.request({ url: '/api/clubs/999999', headers: reader });
    const text = await scrape();
    expect(sampleValue(text, 'fkapi_http_request_duration_seconds_count', labels)).toBe(before + 1);
    expect(
      sampleValue(text, 'fkapi_http_request_duration_seconds_count', { ...labels, status_code: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(`route="/api/clubs/${club.id}"`);
  });

  it('includes the default Node.js process metrics', async () => {
    const text = await scrape();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });
});
