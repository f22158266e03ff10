import { startTestApp, TestApp } from '../utils/test-app';

/** Behaviours of the original that docs/COMPATIBILITY.md says we keep. */
describe('compatibility with the original', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it.each([
    ['GET', '/api/user-collection/1/scrape', 'POST'],
    ['PUT', '/api/kits/1', 'DELETE, GET, HEAD, PATCH'],
    ['PATCH', '/api/kits', 'GET, HEAD, POST'],
    ['POST', '/api/health/', 'GET, HEAD'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const res = await t.request({ method, url });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.json()).toMatchObject({ detail: 'Method not allowed', code: 'method_not_allowed' });
  });

  it('still answers 404 for a path no route has', async () => {
    const res = await t.request({ method: 'POST', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers.allow).toBeUndefined();
  });

  it('redirects / to the documentation (302)', async () => {
    const res = await t.request({ url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/api/docs');
  });

  it.each(['/api/health', '/api/kits/999', '/api/kits?page=0', '/api/nothing-here'])(
    'sends X-Response-Time in seconds with three decimals on %s',
    async (url) => {
      const res = await t.request({ url });
      expect(res.headers['x-response-time']).toMatch(/^\d+\.\d{3}s$/);
    },
  );
});
