import { startTestApp, TestApp } from '../utils/test-app';

const BODY_LIMIT = 2048;

describe('security headers, CORS and body limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example', BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  });
  afterAll(async () => t.close());

  /** What every JSON answer carries (the REST set), and nothing meant for HTML documents. */
  const expectSecurityHeaders = (headers: Record<string, unknown>): void => {
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': expect.stringContaining('max-age='),
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
    });
    for (const documentOnly of ['cross-origin-opener-policy', 'x-xss-protection', 'x-download-options'])
      expect(headers[documentOnly]).toBeUndefined();
    expect(headers['x-powered-by']).toBeUndefined();
  };

  /** The Swagger UI's pages and assets: helmet's document defaults. */
  const expectDocumentHeaders = (headers: Record<string, unknown>): void => {
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(headers['x-powered-by']).toBeUndefined();
  };

  it('sets them on answers, errors included', async () => {
    for (const url of ['/api/health', '/api/clubs/999999', '/api/nowhere', '/api/kits?page=0']) {
      const res = await t.request({ url });
      expectSecurityHeaders(res.headers);
    }
  });

  it('sets them on cached answers too, however the cache answers them', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await t.request({ url: '/api/clubs/search?keyword=headers' });
      expect(res.statusCode).toBe(200);
      expectSecurityHeaders(res.headers);
    }
  });

  it('serves the Swagger UI under that policy: no inline script, every asset from self and served', async () => {
    const page = await t.request({ url: '/docs' });
    expect(page.statusCode).toBe(200);
    expectDocumentHeaders(page.headers);
    // script-src 'self' blocks inline scripts: the page may only load script files.
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src=/);
      expect(inline.trim()).toBe('');
    }
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//); // same origin only
      const url = new URL(asset, 'http://api.test/docs').pathname;
      const served = await t.request({ url });
      expect({ asset, status: served.statusCode }).toEqual({ asset, status: 200 });
      expectDocumentHeaders(served.headers);
    }
  });

  it('answers CORS for the configured origin only', async () => {
    const allowed = await t.request({
      method: 'OPTIONS' as 'GET',
      url: '/api/clubs/search?keyword=x',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await t.request({
      url: '/api/clubs/search?keyword=x',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a body over the limit with 413 JSON before parsing it', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/clubs',
      headers: { 'x-api-key': 'test-admin-key-0123456789', 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      detail: expect.stringMatching(/too large/),
      code: expect.any(String),
      request_id: expect.any(String),
    });
  });
});
