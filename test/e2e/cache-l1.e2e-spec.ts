import { makeKit } from '../factories/catalog';
import { countQueries } from '../utils/query-counter';
import { ENTRY, leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

/** Two instances with CACHE_L1_ENABLED on one PostgreSQL and one Redis database. */
describe('in-process L1 cache across two instances (Redis pub/sub)', () => {
  let redis: TestRedisDb;
  let a: TestApp;
  let b: TestApp;
  const env = () => ({ REDIS_URL: redis.url, CACHE_L1_ENABLED: 'true' });

  beforeAll(async () => {
    redis = await leaseRedisDb();
    a = await startTestApp(env(), { listen: true });
    b = await startTestApp(env(), { listen: true, database: a.db });
    // Both subscribed before the first test.
    const channel = `fkapi:inv:events:${redis.index}`;
    for (let i = 0; i < 100; i++) {
      const reply = await redis.client.sendCommand<[string, number]>(['PUBSUB', 'NUMSUB', channel]);
      if (Number(reply[1]) >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await redis.release();
  });

  const nameOn = async (app: TestApp, id: number) => {
    const res = await fetch(`${app.baseUrl}/api/kits/${id}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { name: string }).name;
  };

  it('serves repeated reads from memory: no SQL and no Redis entry needed', async () => {
    const kit = await makeKit(a.dataSource, {}, { name: 'Memory Home' });
    // Twice each: the first read may race the invalidation of the kit's own insert, and a value
    // read before an invalidation the instance has seen is (rightly) not kept in memory.
    for (const app of [a, b, a, b]) expect(await nameOn(app, kit.id)).toBe('Memory Home');
    // Removed behind the cache's back (no invalidation message): memory still answers.
    await redis.client.del(`${ENTRY}kit_${kit.id}`);
    const { count } = await countQueries(a.dataSource, async () => {
      expect(await nameOn(a, kit.id)).toBe('Memory Home');
    });
    expect(count).toBe(0);
    const onB = await countQueries(b.dataSource, async () => {
      expect(await nameOn(b, kit.id)).toBe('Memory Home');
    });
    expect(onB.count).toBe(0);
  });

  it('answers concurrent memory hits of one URL each with its own request id, status and body', async () => {
    const kit = await makeKit(a.dataSource, {}, { name: 'Crowded Home' });
    const path = `${a.baseUrl}/api/kits/${kit.id}`;
    // Through the pipeline, then from Redis into memory (see the first test), then from memory.
    for (let i = 0; i < 3; i++) expect((await fetch(path)).status).toBe(200);
    const reference = await fetch(path);
    const body = await reference.text();
    const etag = reference.headers.get('etag') as string;
    const counter = async (series: string) => {
      const text = await (await fetch(`${a.baseUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const rawBefore = await counter('fkapi_http_fast_path_responses_total{path="raw"}');
    const memoryBefore = await counter('fkapi_cache_l1_hits_total');
    const requests = 40;
    const { count } = await countQueries(a.dataSource, async () => {
      const answers = await Promise.all(
        Array.from({ length: requests }, async (_, i) => {
          const headers: Record<string, string> = { 'x-request-id': `crowd-${i}` };
          if (i % 3 === 0) headers['if-none-match'] = etag;
          const res = await fetch(path, { headers });
          return { i, status: res.status, id: res.headers.get('x-request-id'), text: await res.text() };
        }),
      );
      for (const answer of answers) {
        expect(answer).toEqual({
          i: answer.i,
          status: answer.i % 3 === 0 ? 304 : 200,
          id: `crowd-${answer.i}`,
          text: answer.i % 3 === 0 ? '' : body,
        });
      }
    });
    expect(count).toBe(0);
    expect((await counter('fkapi_http_fast_path_responses_total{path="raw"}')) - rawBefore).toBe(requests);
    expect((await counter('fkapi_cache_l1_hits_total')) - memoryBefore).toBe(requests);
  });

  it('shows a write at once on the instance that made it, and on the other when the message arrives', async () => {
    const kit = await makeKit(a.dataSource, {}, { name: 'Coherent Home' });
    expect(await nameOn(a, kit.id)).toBe('Coherent Home');
    expect(await nameOn(b, kit.id)).toBe('Coherent Home');
    const patched = await a.request({
      method: 'PATCH',
      url: `/api/kits/${kit.id}`,
      headers: adminHeaders,
      body: { name: 'Coherent Away' },
    });
    expect(patched.statusCode).toBe(200);
    expect(await nameOn(a, kit.id)).toBe('Coherent Away');
    let onB = await nameOn(b, kit.id);
    for (let i = 0; i < 100 && onB !== 'Coherent Away'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      onB = await nameOn(b, kit.id);
    }
    expect(onB).toBe('Coherent Away');
  });

  it('drops the other instance’s memory on a namespace clear and a key delete', async () => {
    const kit = await makeKit(a.dataSource, {}, { name: 'Cleared Home' });
    expect(await nameOn(b, kit.id)).toBe('Cleared Home');
    await a.dataSource.query('UPDATE kits SET name = $1 WHERE id = $2', ['Cleared Away', kit.id]);
    const cleared = await a.request({
      method: 'POST',
      url: '/api/cache/invalidate',
      headers: adminHeaders,
      body: { all: true },
    });
    expect(cleared.statusCode).toBe(200);
    let onB = await nameOn(b, kit.id);
    for (let i = 0; i < 100 && onB !== 'Cleared Away'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      onB = await nameOn(b, kit.id);
    }
    expect(onB).toBe('Cleared Away');

    await a.dataSource.query('UPDATE kits SET name = $1 WHERE id = $2', ['Deleted Key', kit.id]);
    const deleted = await a.request({
      method: 'DELETE',
      url: `/api/cache/keys/kit_${kit.id}`,
      headers: adminHeaders,
    });
    expect(deleted.statusCode).toBeLessThan(300);
    expect(await nameOn(a, kit.id)).toBe('Deleted Key');
    onB = await nameOn(b, kit.id);
    for (let i = 0; i < 100 && onB !== 'Deleted Key'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      onB = await nameOn(b, kit.id);
    }
    expect(onB).toBe('Deleted Key');
  });
});
