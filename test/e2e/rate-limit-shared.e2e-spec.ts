import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { ADMIN_KEY, startTestApp, TestApp } from '../utils/test-app';

/**
 * The hourly limit is shared by instances through Redis, counted locally and synchronised in
 * batches: an instance learns the other's hits at its next flush (≤ 100 ms), not per request.
 */
describe('rate limit shared by two instances', () => {
  let redis: TestRedisDb;
  let a: TestApp;
  let b: TestApp;
  const LIMIT = 5;

  // The two tests share the client's count: the test apps' clock keeps both in one hour.
  beforeAll(async () => {
    redis = await leaseRedisDb();
    const env = { RATE_LIMIT_PER_HOUR: String(LIMIT), REDIS_URL: redis.url };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    for await (const keys of redis.client.scanIterator({ MATCH: 'fkapi:ratelimit:*' }))
      if (keys.length > 0) await redis.client.unlink(keys);
    await redis?.release();
  });

  /** The shared count of this client (127.0.0.1 under inject) once it reaches `count`. */
  const sharedCountReaches = async (count: number): Promise<number> => {
    let value = 0;
    for (let attempt = 0; attempt < 200 && value < count; attempt++) {
      value = 0;
      for await (const keys of redis.client.scanIterator({ MATCH: 'fkapi:ratelimit:*' }))
        for (const key of keys)
          for (const count of Object.values(await redis.client.hGetAll(key))) value += Number(count);
      if (value < count) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return value;
  };

  const get = (t: TestApp, headers: Record<string, string> = {}) =>
    t.request({ url: '/api/clubs/search?keyword=limit', headers });

  it('refuses on one instance what the client already spent on the other, with 429 JSON and Retry-After', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get(a)).statusCode).toBe(200);
    expect((await get(a)).statusCode).toBe(429);
    expect(await sharedCountReaches(LIMIT)).toBe(LIMIT);

    // b has seen nothing of this client yet: its first hit goes through and its flush learns
    // the shared total; from then on b refuses too.
    const first = await get(b);
    expect(first.statusCode).toBe(200);
    expect(await sharedCountReaches(LIMIT + 1)).toBe(LIMIT + 1);
    const limited = await get(b);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({
      detail: 'Rate limit exceeded. Please try again later.',
      code: 'rate_limited',
      request_id: expect.any(String),
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(3600);
  });

  it('counts one limit per client across routes, and exempts keyed clients on every instance', async () => {
    expect((await a.request({ url: '/api/brands/search?keyword=x' })).statusCode).toBe(429);
    for (const t of [a, b]) expect((await get(t, { 'x-api-key': ADMIN_KEY })).statusCode).toBe(200);
  });
});

describe('rate limit at shutdown', () => {
  it('sends the hits still waiting to the shared count before the Redis connection closes', async () => {
    const redis = await leaseRedisDb();
    try {
      const t = await startTestApp({ RATE_LIMIT_PER_HOUR: '50', REDIS_URL: redis.url });
      for (let i = 0; i < 3; i++)
        expect((await t.request({ url: '/api/brands/search?keyword=x' })).statusCode).toBe(200);
      // Closed before the flush interval (100 ms) ends: only the shutdown flush can send them.
      await t.close();
      let shared = 0;
      for await (const keys of redis.client.scanIterator({ MATCH: 'fkapi:ratelimit:*' }))
        for (const key of keys)
          for (const count of Object.values(await redis.client.hGetAll(key))) shared += Number(count);
      expect(shared).toBe(3);
    } finally {
      await redis.release();
    }
  });
});

describe('rate limit with Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_HOUR: '2', REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => t.close());

  it('still limits, counting locally, and never fails a request', async () => {
    expect((await t.request({ url: '/api/clubs/search?keyword=x' })).statusCode).toBe(200);
    expect((await t.request({ url: '/api/clubs/search?keyword=x' })).statusCode).toBe(200);
    // Let a flush attempt fail against the missing Redis before the next request.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const limited = await t.request({ url: '/api/clubs/search?keyword=x' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
  });
});
