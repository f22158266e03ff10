import { rateWindowClock } from '../utils/rate-window';
import { startTestApp, TestApp } from '../utils/test-app';

describe('application-wide behaviour', () => {
  describe('with default settings', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(async () => t.close());

    it('answers GET /api/health in the reference shape', async () => {
      const res = await t.request({ url: '/api/health' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ status: 'healthy', database: 'connected' });
      expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    });

    it('reports readiness of PostgreSQL', async () => {
      const res = await t.request({ url: '/api/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    });

    it('serves Swagger UI and the OpenAPI document at both spellings', async () => {
      for (const url of ['/docs', '/api/docs']) {
        const res = await t.request({ url });
        expect([200, 301, 302]).toContain(res.statusCode);
      }
      for (const url of ['/docs-json', '/api/openapi.json']) {
        const res = await t.request({ url });
        expect(res.statusCode).toBe(200);
        const doc = res.json();
        expect(doc.info.title).toBe('Football Kit Archive API');
        expect(doc.paths['/api/clubs/search']).toBeDefined();
        expect(doc.components.schemas.ErrorBodyDto).toBeDefined();
      }
    });

    it('answers an unknown route with 404 JSON and echoes a well-formed request id', async () => {
      const res = await t.request({ url: '/api/nothing-here', headers: { 'x-request-id': 'trace-123' } });
      expect(res.statusCode).toBe(404);
      expect(res.headers['x-request-id']).toBe('trace-123');
      expect(res.json()).toEqual({ detail: 'Not Found', code: 'not_found', request_id: 'trace-123' });
    });

    it('replaces a malformed request id with its own', async () => {
      const res = await t.request({ url: '/api/health', headers: { 'x-request-id': 'bad id with spaces' } });
      expect(res.headers['x-request-id']).not.toBe('bad id with spaces');
      expect(String(res.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers a wrong method on a known path with a JSON 4xx', async () => {
      const res = await t.request({ method: 'PUT', url: '/api/health' });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json()).toHaveProperty('detail');
    });
  });

  describe('with read authentication enabled', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ API_AUTH_ENABLED: 'true', API_KEYS: 'reader-key-0123456789' });
    });
    afterAll(async () => t.close());

    it('refuses reads without a key (401 JSON) but keeps health open', async () => {
      const refused = await t.request({ url: '/api/clubs/search?keyword=a' });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ detail: 'Unauthorized', code: 'unauthorized' });
      expect((await t.request({ url: '/api/health' })).statusCode).toBe(200);
    });

    it('accepts a read key and the admin key', async () => {
      expect(
        (
          await t.request({
            url: '/api/clubs/search?keyword=a',
            headers: { 'x-api-key': 'reader-key-0123456789' },
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (
          await t.request({
            url: '/api/clubs/search?keyword=a',
            headers: { 'x-api-key': 'test-admin-key-0123456789' },
          })
        ).statusCode,
      ).toBe(200);
    });

    it('does not let a read key write', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: { 'x-api-key': 'reader-key-0123456789' },
        body: { name: 'Nope' },
      });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('with a rate limit of 3 per hour', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_HOUR: '3' });
    });
    afterAll(async () => t.close());

    it('answers the 4th request with 429 JSON and Retry-After, and exempts keyed clients', async () => {
      const first = await t.request({ url: '/api/clubs/search?keyword=x' });
      expect(first.statusCode).toBe(200);
      // The window is the hour of the app's clock (the tests' starts one second into an hour).
      const reset = Number(first.headers['x-ratelimit-reset']);
      const elapsed = (rateWindowClock() % 3_600_000) / 1000;
      expect(Math.abs(reset - (3600 - elapsed))).toBeLessThanOrEqual(2);
      for (let i = 0; i < 2; i++)
        expect((await t.request({ url: '/api/clubs/search?keyword=x' })).statusCode).toBe(200);
      const limited = await t.request({ url: '/api/clubs/search?keyword=x' });
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({
        code: 'rate_limited',
        detail: 'Rate limit exceeded. Please try again later.',
      });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const keyed = await t.request({
        url: '/api/clubs/search?keyword=x',
        headers: { 'x-api-key': 'test-admin-key-0123456789' },
      });
      expect(keyed.statusCode).toBe(200);
    });
  });

  describe('with no admin key configured', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ ADMIN_API_KEY: '' });
    });
    afterAll(async () => t.close());

    it('refuses every write, whatever key is sent', async () => {
      const res = await t.request({
        method: 'POST',
        url: '/api/clubs',
        headers: { 'x-api-key': 'anything-at-all-0000' },
        body: { name: 'X' },
      });
      expect(res.statusCode).toBe(401);
    });
  });
});

describe('when PostgreSQL goes away', () => {
  it('answers liveness and readiness with 503 and a JSON body', async () => {
    const t = await startTestApp();
    try {
      await t.db.drop();
      const live = await t.request({ url: '/api/health' });
      expect(live.statusCode).toBe(503);
      expect(live.json()).toMatchObject({ status: 'unhealthy', database: 'disconnected' });
      const ready = await t.request({ url: '/api/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'error', details: { database: { status: 'down' } } });
      const read = await t.request({ url: '/api/clubs/1' });
      expect(read.statusCode).toBe(503);
      expect(read.json()).toMatchObject({ code: 'database_unavailable' });
    } finally {
      await t.close();
    }
  });
});
