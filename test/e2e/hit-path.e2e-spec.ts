import { Injectable, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { CachedResponses } from '../../src/cache/http/cached-responses';
import { KitsController } from '../../src/kits/kits.controller';
import { makeKit } from '../factories/catalog';
import { countQueries } from '../utils/query-counter';
import { ENTRY, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, TestApp, useTestAppWithRedis } from '../utils/test-app';

/** One series of this process's /metrics text (0 when absent). */
async function metric(t: TestApp, series: string): Promise<number> {
  const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0);
}
const RAW = 'fkapi_http_fast_path_responses_total{path="raw"}';
const ERRORS = 'fkapi_http_hit_path_errors_total';

/** 40 × 200 then 20 × 429, with the remaining count going down on every 200. */
const EXPECTED_STATUSES = [...Array<number>(40).fill(200), ...Array<number>(20).fill(429)];
const EXPECTED_REMAINING = [
  ...Array.from({ length: 40 }, (_, i) => String(39 - i)),
  ...Array<null>(20).fill(null),
];

/** 60 GETs of one URL from this client: statuses, remaining counts, how many the hit path answered. */
async function sixty(t: TestApp, path: string, beforeEach?: () => Promise<unknown>) {
  const rawBefore = await metric(t, RAW);
  const statuses: number[] = [];
  const remaining: (string | null)[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < 60; i++) {
    await beforeEach?.();
    const res = await fetch(`${t.baseUrl}${path}`);
    statuses.push(res.status);
    remaining.push(res.headers.get('x-ratelimit-remaining'));
    if (res.status === 429 && limited === undefined) limited = res;
    else await res.arrayBuffer();
  }
  return { statuses, remaining, limited, byHitPath: (await metric(t, RAW)) - rawBefore };
}

describe('the cache-hit path under the rate limit (the shipped default: limit on), cached URL', () => {
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t } = started), { RATE_LIMIT_PER_HOUR: '40' }, { listen: true });

  it('answers 40 × 200 then 20 × 429 to one client, the hit path answering the hits', async () => {
    const kit = await makeKit(t.dataSource);
    const run = await sixty(t, `/api/kits/${kit.id}`);
    expect(run.statuses).toEqual(EXPECTED_STATUSES);
    expect(run.remaining).toEqual(EXPECTED_REMAINING);
    expect(run.byHitPath).toBe(39); // the first request filled the cache through the pipeline
    expect(Number(run.limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await run.limited?.json()).toMatchObject({ code: 'rate_limited' });
  });
});

describe('the cache-hit path under the rate limit (the shipped default: limit on), every request a miss', () => {
  let t: TestApp;
  let redis: TestRedisDb;
  useTestAppWithRedis((started) => ({ t, redis } = started), { RATE_LIMIT_PER_HOUR: '40' }, { listen: true });

  it('gives the same sequence through the pipeline alone', async () => {
    const kit = await makeKit(t.dataSource);
    const run = await sixty(t, `/api/kits/${kit.id}`, () => redis.client.del(`${ENTRY}kit_${kit.id}`));
    expect(run.statuses).toEqual(EXPECTED_STATUSES);
    expect(run.remaining).toEqual(EXPECTED_REMAINING);
    expect(run.byHitPath).toBe(0);
  });
});

describe('the cache-hit path remembers requests by meaning, bounded in bytes', () => {
  let t: TestApp;
  useTestAppWithRedis(
    (started) => ({ t } = started),
    { HIT_PATH_MEMORY_BYTES: '32768', HIT_PATH_MAX_URL_BYTES: '2048' },
    { listen: true },
  );

  it('answers a URL with unknown query junk as the same request, and does not remember the junk', async () => {
    const kit = await makeKit(t.dataSource);
    expect((await fetch(`${t.baseUrl}/api/kits/${kit.id}`)).status).toBe(200);
    const responses = t.app.get(CachedResponses);
    const held = responses.heldBytes;
    const rawBefore = await metric(t, RAW);
    const { count } = await countQueries(t.dataSource, async () => {
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`${t.baseUrl}/api/kits/${kit.id}?z=${'j'.repeat(500)}&n=${i}`);
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
    });
    expect(count).toBe(0);
    expect((await metric(t, RAW)) - rawBefore).toBe(200);
    // One shape entry for the path, one canonical entry: nothing per junk URL.
    expect(responses.heldBytes - held).toBeLessThan(1024);
  });

  it('sends a URL longer than HIT_PATH_MAX_URL_BYTES to the pipeline, never remembering it', async () => {
    const kit = await makeKit(t.dataSource);
    const long = `/api/kits/${kit.id}?z=${'j'.repeat(3000)}`;
    const rawBefore = await metric(t, RAW);
    for (let i = 0; i < 3; i++) expect((await fetch(`${t.baseUrl}${long}`)).status).toBe(200);
    expect((await metric(t, RAW)) - rawBefore).toBe(0);
  });

  it('keeps to HIT_PATH_MEMORY_BYTES under a flood of distinct meaningful requests', async () => {
    const responses = t.app.get(CachedResponses);
    for (let i = 1; i <= 300; i++) {
      const res = await fetch(`${t.baseUrl}/api/clubs/search?keyword=flood${i}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect(responses.heldBytes).toBeLessThanOrEqual(32768);
    }
    expect(responses.heldBytes).toBeGreaterThan(16384); // it did fill up, and evicted
  });

  it('refuses invalid percent-encoding the way the pipeline does, even in ignored parameters', async () => {
    const kit = await makeKit(t.dataSource);
    await fetch(`${t.baseUrl}/api/kits/${kit.id}`);
    const res = await fetch(`${t.baseUrl}/api/kits/${kit.id}?junk=%ff`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_encoding' });
  });

  it('answers through the pipeline, counting the error, when the hit path throws', async () => {
    const kit = await makeKit(t.dataSource);
    const path = `/api/kits/${kit.id}`;
    const reference = await (await fetch(`${t.baseUrl}${path}`)).text();
    const responses = t.app.get(CachedResponses);
    const errorsBefore = await metric(t, ERRORS);
    const peek = jest.spyOn(responses, 'peek').mockImplementationOnce(() => {
      throw new Error('injected before the answer');
    });
    const lookup = jest
      .spyOn(responses, 'lookup')
      .mockResolvedValueOnce({ body: Buffer.from('{}'), etag: 'not "a valid\n header', contentLength: '2' });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${t.baseUrl}${path}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(reference);
      }
    } finally {
      peek.mockRestore();
      lookup.mockRestore();
    }
    expect((await metric(t, ERRORS)) - errorsBefore).toBe(2);
    expect((await fetch(`${t.baseUrl}/api/health`)).status).toBe(200);
  });
});

describe('the cache-hit path contract', () => {
  @Injectable()
  class AuditGuard {
    canActivate(): boolean {
      return true;
    }
  }

  describe('a route that does not declare @HitPath()', () => {
    const handler = KitsController.prototype.findOne as unknown as object;
    const declared = Reflect.getMetadata('fkapi:hitPath', handler) as unknown;
    beforeAll(() => Reflect.deleteMetadata('fkapi:hitPath', handler));
    afterAll(() => Reflect.defineMetadata('fkapi:hitPath', declared, handler));
    let t: TestApp;
    useTestAppWithRedis((started) => ({ t } = started), {}, { listen: true });

    it('is never answered early, though its reads are cached', async () => {
      const kit = await makeKit(t.dataSource);
      const rawBefore = await metric(t, RAW);
      for (let i = 0; i < 5; i++) expect((await fetch(`${t.baseUrl}/api/kits/${kit.id}`)).status).toBe(200);
      expect((await metric(t, RAW)) - rawBefore).toBe(0);
      // The declared legacy route to the same kit is answered early.
      for (let i = 0; i < 3; i++)
        expect((await fetch(`${t.baseUrl}/api/kit-json/${kit.id}`)).status).toBe(200);
      expect((await metric(t, RAW)) - rawBefore).toBe(2);
    });
  });

  it('refuses to start, naming the route, when a declared route gets a guard the hit path does not run', async () => {
    const { startTestApp } = await import('../utils/test-app');
    const handler = KitsController.prototype.findOne as unknown as object;
    UseGuards(AuditGuard)(KitsController.prototype, 'findOne', { value: handler });
    try {
      await expect(startTestApp({}, { listen: true })).rejects.toThrow(
        '@HitPath on GET /api/kits/:kit_id (KitsController.findOne): guard AuditGuard, which the cache-hit path does not run',
      );
    } finally {
      Reflect.deleteMetadata(GUARDS_METADATA, handler);
    }
  });
});

describe('what the limit never touches, and what it always counts', () => {
  let t: TestApp;
  useTestAppWithRedis((started) => ({ t } = started), { RATE_LIMIT_PER_HOUR: '40' }, { listen: true });

  it('never limits liveness, readiness or /metrics', async () => {
    for (let i = 0; i < 60; i++) {
      for (const path of ['/api/health', '/api/health/ready', '/metrics']) {
        const res = await fetch(`${t.baseUrl}${path}`);
        await res.arrayBuffer();
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
    }
  });

  it('counts a wrong X-API-Key against the client, answering 429 once over the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${t.baseUrl}/api/clubs`, {
        method: 'POST',
        headers: { 'x-api-key': `wrong-key-${i}-0123456789`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Guessing FC' }),
      });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([...Array<number>(40).fill(401), ...Array<number>(20).fill(429)]);
    // The admin key is exempt from the limit.
    const keyed = await fetch(`${t.baseUrl}/api/health`, { headers: adminHeaders });
    expect(keyed.status).toBe(200);
  });
});
