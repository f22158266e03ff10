import { makeClub } from '../factories/catalog';
import { sampleValue } from '../utils/prometheus-text';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

/** The app's command timeout: a read that waited on Redis at all would wait this long. */
const REDIS_COMMAND_TIMEOUT_MS = 250;

describe('with Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: every connection attempt is refused.
    t = await startTestApp({
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS),
    });
  });
  afterAll(async () => t.close());

  const getErrors = async () =>
    sampleValue((await t.request({ url: '/metrics' })).body, 'fkapi_cache_errors_total', {
      operation: 'get',
    }) ?? 0;

  it('answers reads from PostgreSQL, quickly, and counts each skipped cache read', async () => {
    const club = await makeClub(t.dataSource, { name: 'Offline FC', slug: 'offline-fc-kits' });
    const errors = await getErrors();
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      const detail = await t.request({ url: `/api/clubs/${club.id}` });
      expect(detail.statusCode).toBe(200);
      expect(detail.json().name).toBe('Offline FC');
    }
    const search = await t.request({ url: '/api/clubs/search?keyword=offline' });
    expect(search.statusCode).toBe(200);
    expect(search.json()).toHaveLength(1);
    // Quickly: the 11 reads together took less than the command timeout each would have waited.
    expect(Date.now() - started).toBeLessThan(11 * REDIS_COMMAND_TIMEOUT_MS);
    expect(await getErrors()).toBe(errors + 11);
  });

  it('serves fresh rows on every read (nothing is cached anywhere)', async () => {
    const club = await makeClub(t.dataSource, { name: 'Before' });
    await t.request({ url: `/api/clubs/${club.id}` });
    await t.dataSource.query('UPDATE clubs SET name = $1 WHERE id = $2', ['After', club.id]);
    expect((await t.request({ url: `/api/clubs/${club.id}` })).json().name).toBe('After');
  });

  it('stays live and ready, reporting the cache as disconnected / down', async () => {
    const live = await t.request({ url: '/api/health' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toMatchObject({ status: 'healthy', database: 'connected', cache: 'disconnected' });
    const ready = await t.request({ url: '/api/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    expect(ready.json().details.cache).toEqual({ status: 'down', store: 'redis' });
  });

  it('answers manual invalidation and stats with 503 cache_unavailable, not 500', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/cache/invalidate',
      headers: adminHeaders,
      body: { club: 1 },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'cache_unavailable' });
    const stats = await t.request({ url: '/api/cache/stats', headers: adminHeaders });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ store: 'redis', available: false, total_entries: null });
  });

  it('still serves /metrics', async () => {
    const res = await t.request({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('fkapi_cache_entries');
  });
});
