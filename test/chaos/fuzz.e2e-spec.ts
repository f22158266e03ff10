import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { makeClub, makeKit } from '../factories/catalog';
import { createClient } from 'redis';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { ADMIN_KEY, startTestApp, TestApp } from '../utils/test-app';
import { auditRedisKeys, RedisKeyAudit } from './harness/redis-monitor';
import { OwnRedis, startOwnRedis } from './harness/redis-server';

/**
 * Property-based fuzzing of the whole HTTP surface through the real application (Fastify inject):
 * random and hostile paths, ids, query strings, headers and bodies. Whatever comes in: never a
 * 5xx, every 4xx is the JSON error body, nothing in a response looks like a stack trace or SQL,
 * and no Redis key outside `fkapi:` is ever written or deleted.
 * `npm run chaos:fuzz -- --runs N` for a longer run.
 */

const RUNS = Number(process.env.CHAOS_FUZZ_RUNS ?? 10_000);
const BODY_LIMIT = 4096;

/** Keys the application must never touch: not in its namespace, some shaped to tempt a pattern. */
const SENTINELS: Record<string, string> = {
  'sentinel:plain': 'a',
  fkapi: 'no colon',
  'fkapiX:1': 'prefix look-alike',
  'FKAPI:club_1': 'other case',
  'other:fkapi:club_1': 'embedded',
  '*': 'star',
  'fkapi*': 'glob',
  '{fkapi}:club_1': 'hash tag',
};

const hostileText = fc.oneof(
  fc.constantFrom(
    "' OR 1=1 --",
    '1; DROP TABLE kits; --',
    '"; FLUSHALL\r\n',
    '*',
    'fkapi:*',
    'fkapi:club_1',
    '../../etc/passwd',
    '%00',
    '%ZZ',
    '%C0%AF',
    '\u0000',
    '\u202e\u0301',
    '😀'.repeat(50),
    'EVAL "return redis.call(\'FLUSHALL\')" 0',
    '${7*7}{{7*7}}',
    '<script>alert(1)</script>',
    '-1',
    '0',
    '1e309',
    '9007199254740993',
    '0x10',
    'NaN',
    '',
    ' ',
    '__proto__',
    'constructor',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer().map(String),
  fc.string({ minLength: 300, maxLength: 3000 }),
);

/** A value for a URL: usually percent-encoded, sometimes raw (only characters a URL may carry). */
const urlPart = fc.oneof(
  { weight: 4, arbitrary: hostileText.map((text) => encodeURIComponent(text)) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%E2%82', '%FF%FE', '..', '.', '%2F', '%252F', '+') },
);

const PATHS: ((part: string) => string)[] = [
  (p) => `/api/kits/${p}`,
  (p) => `/api/kit-json/${p}`,
  (p) => `/api/clubs/${p}`,
  (p) => `/api/clubs/${p}/kits`,
  (p) => `/api/seasons/${p}`,
  (p) => `/api/brands/${p}`,
  (p) => `/api/competitions/${p}`,
  (p) => `/api/user-collection/${p}`,
  (p) => `/api/cache/keys/${p}`,
  () => '/api/cache/invalidate',
  () => '/api/cache/stats',
  () => '/api/kits',
  () => '/api/kits/search',
  () => '/api/kits/bulk',
  () => '/api/clubs/search',
  () => '/api/seasons',
  () => '/api/seasons/search',
  () => '/api/brands/search',
  () => '/api/competitions/search',
  () => '/api/random-kits/',
  () => '/api/random-clubs',
  () => '/api/clubs',
  () => '/api/seasons',
  () => '/api/brands',
  () => '/api/competitions',
  () => '/api/health',
  (p) => `/${p}`,
  (p) => `/api/${p}`,
  (p) => `/api/kits/${p}/${p}`,
];

const QUERY_NAMES = [
  'keyword',
  'page',
  'page_size',
  'season',
  'club',
  'country',
  'primary_color',
  'secondary_color',
  'design',
  'year',
  'first_year',
  'second_year',
  'slugs',
  'id',
  'force',
  '__proto__',
];

const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), urlPart), urlPart), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

const headerValue = fc.oneof(
  fc.constantFrom(ADMIN_KEY, 'wrong-key-0123456789', '', ' ', 'x'.repeat(5000)),
  fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
);

const headers = fc.record(
  {
    'x-api-key': headerValue,
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      '*/*',
    ),
    'x-request-id': headerValue,
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'not-an-ip', '::1, 10.0.0.1', ''),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', ''),
    'if-none-match': fc.constantFrom('"x"', '*', 'W/"0"'),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        name: hostileText,
        slug: hostileText,
        team_id: fc.oneof(fc.integer(), hostileText),
        season_id: fc.integer(),
        type_id: fc.integer(),
        brand_id: fc.integer(),
        main_img_url: hostileText,
        competition_ids: fc.array(fc.oneof(fc.integer(), hostileText), { maxLength: 5 }),
        rating: fc.oneof(fc.double(), hostileText),
        club: fc.oneof(fc.integer(), hostileText),
        kit: fc.integer(),
        search: fc.boolean(),
        all: fc.boolean(),
        key: hostileText,
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"a":', '[1,2', 'null', '"x"', '\u0000', '{"__proto__":{"x":1}}'),
  fc.string({ minLength: BODY_LIMIT + 1, maxLength: BODY_LIMIT * 3 }).map((s) => JSON.stringify({ name: s })),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD'),
  path: fc.tuple(fc.constantFrom(...PATHS), urlPart).map(([make, part]) => make(part)),
  query,
  headers,
  body,
});

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

type RedisClient = ReturnType<typeof createClient>;

async function nonNamespacedKeys(client: RedisClient): Promise<Record<string, string | null>> {
  const found: Record<string, string | null> = {};
  for await (const keys of client.scanIterator({ COUNT: 1000 }))
    for (const key of keys) if (!key.startsWith('fkapi:')) found[key] = await client.get(key);
  return found;
}

describe('fuzzing the HTTP surface', () => {
  let t: TestApp;
  let redis: OwnRedis;
  let client: RedisClient;
  let audit: RedisKeyAudit;
  let appClosed = false;

  beforeAll(async () => {
    // A redis-server of this test's own: MONITOR then sees the application's commands only.
    redis = await startOwnRedis();
    client = createClient({ url: redis.url });
    await client.connect();
    for (const [key, value] of Object.entries(SENTINELS)) await client.set(key, value);
    audit = await auditRedisKeys(redis.url, 'fkapi:');
    t = await startTestApp({
      REDIS_URL: redis.url,
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      // Never reach the internet: a refused upstream answers quickly.
      USER_COLLECTION_UPSTREAM_URL: 'http://127.0.0.1:1',
    });
    for (let i = 0; i < 5; i++) await makeKit(t.dataSource, { team: await makeClub(t.dataSource) });
  });
  afterAll(async () => {
    if (!appClosed) await t?.close();
    await audit?.stop();
    await client?.close();
    await redis?.stop();
  });

  it(`answers ${RUNS} hostile requests without a 5xx, with the JSON error body on every 4xx`, async () => {
    const statuses = new Map<number, number>();
    const check = async (r: FuzzRequest): Promise<void> => {
      const sendsBody = r.method !== 'GET' && r.method !== 'HEAD' && r.body !== undefined;
      const res = await t.app.inject({
        method: r.method as 'GET',
        url: `${r.path}${r.query}`,
        headers: Object.fromEntries(Object.entries(r.headers).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
        payload: sendsBody ? r.body : undefined,
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body).not.toMatch(/\n\s+at \S+|QueryFailedError|node_modules|\.ts:\d+|\.js:\d+/);
      if (res.statusCode >= 400 && r.method !== 'HEAD') {
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        const error = JSON.parse(res.body) as Record<string, unknown>;
        expect(error).toEqual(
          expect.objectContaining({
            detail: expect.anything(),
            code: expect.any(String),
            request_id: expect.any(String),
          }),
        );
      }
    };
    await fc.assert(fc.asyncProperty(request, check), { numRuns: RUNS });
    process.stdout.write(
      `fuzz: ${RUNS} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`,
    );
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    // The run reached the handlers, not only the router's 404.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(422)).toBeGreaterThan(0);
    // Closed first, so that no command of the application is still on its way.
    await t.close();
    appClosed = true;
    // Every key of every command the application ran (its Lua scripts' included) was in the namespace.
    process.stdout.write(
      `fuzz: Redis commands seen (MONITOR): ${JSON.stringify(Object.fromEntries(audit.commands))}\n`,
    );
    expect(audit.unknown).toEqual(new Set());
    expect(audit.outside).toEqual([]);
    expect(audit.commands.get('EVALSHA') ?? audit.commands.get('EVAL')).toBeGreaterThan(0);
    expect(await nonNamespacedKeys(client)).toEqual(SENTINELS);
  }, 600_000);

  it('audits for real: a key outside the namespace, even one a script touches, is reported', async () => {
    const control = await auditRedisKeys(redis.url, 'fkapi:');
    try {
      await client.set('fkapi:inside', '1');
      await client.set('outside', '1');
      await client.eval("return redis.call('UNLINK', KEYS[1], KEYS[2])", {
        keys: ['fkapi:inside', 'outside'],
      });
      // MONITOR reports asynchronously: wait for its three lines.
      for (let attempt = 0; attempt < 100 && control.outside.length < 3; attempt++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(control.outside).toEqual(['SET outside', 'EVAL outside', 'UNLINK outside']);
    } finally {
      await control.stop();
    }
  });
});

/** One request over a real socket (keep-alive, like a client's pool); the path is sent as it is. */
function overSocket(
  agent: Agent,
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string } | 'refused by the client'> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = httpRequest({ agent, host: hostname, port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      });
    } catch {
      // Node refuses to send it (a character a request line or header may not carry).
      resolve('refused by the client');
      return;
    }
    req.on('error', reject);
    req.end();
  });
}

describe('fuzzing cached reads over real sockets (the raw fast path included)', () => {
  let t: TestApp;
  let redis: TestRedisDb;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const SOCKET_RUNS = Math.max(200, Math.floor(RUNS / 10));

  beforeAll(async () => {
    redis = await leaseRedisDb();
    t = await startTestApp({ REDIS_URL: redis.url }, { listen: true });
  });
  afterAll(async () => {
    agent.destroy();
    await t?.close();
    await redis?.release();
  });

  it(`answers ${SOCKET_RUNS} hostile variants of learned URLs without a 5xx, with the JSON error body on every 4xx`, async () => {
    const learned: string[] = [];
    for (let i = 0; i < 3; i++) {
      const club = await makeClub(t.dataSource);
      const kit = await makeKit(t.dataSource, { team: club });
      learned.push(`/api/kits/${kit.id}`, `/api/clubs/${club.id}`, `/api/clubs/${club.id}/kits`);
    }
    // Learned: answered from the cache through the pipeline once, then by the raw path.
    for (const path of learned) for (let i = 0; i < 2; i++) await fetch(`${t.baseUrl}${path}`);
    const metric = async (series: string): Promise<number> => {
      const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
      return Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1] ?? 0,
      );
    };
    const rawBefore = await metric('fkapi_http_fast_path_responses_total{path="raw"}');

    const variant = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...learned) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...learned),
            fc.constantFrom('', '/', '//', '/.', '/..', '%2F', '%00', '?', '#x', ';x', '%', '%ZZ', '/%2e%2e'),
            query,
          )
          .map(([path, suffix, q]) => `${path}${suffix}${q}`),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...PATHS), urlPart, query)
          .map(([make, p, q]) => `${make(p)}${q}`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '*',
          '//api/kits/1',
          'http://evil.example/api/kits/1',
          '/api/kits/1 HTTP/1.1',
        ),
      },
    );
    const statuses = new Map<number | string, number>();
    const check = async (
      method: string,
      path: string,
      fuzzed: Record<string, string | undefined>,
    ): Promise<void> => {
      const sent = Object.fromEntries(Object.entries(fuzzed).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      const res = await overSocket(agent, t.baseUrl, method, path, sent);
      if (res === 'refused by the client') {
        statuses.set(res, (statuses.get(res) ?? 0) + 1);
        return;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      expect(res.body).not.toMatch(/\n\s+at \S+|QueryFailedError|node_modules|\.ts:\d+|\.js:\d+/);
      if (res.status >= 400 && method !== 'HEAD') {
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(JSON.parse(res.body)).toEqual(
          expect.objectContaining({
            detail: expect.anything(),
            code: expect.any(String),
            request_id: expect.any(String),
          }),
        );
      }
    };
    await fc.assert(fc.asyncProperty(fc.constantFrom('GET', 'GET', 'GET', 'HEAD'), variant, headers, check), {
      numRuns: SOCKET_RUNS,
    });
    const raw = (await metric('fkapi_http_fast_path_responses_total{path="raw"}')) - rawBefore;
    process.stdout.write(
      `fuzz over sockets: ${SOCKET_RUNS} requests, ${raw} answered by the raw fast path; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    // The raw path did answer some of them, and the variants also reached the pipeline's errors.
    expect(raw).toBeGreaterThan(0);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect([...statuses.keys()].some((status) => typeof status === 'number' && status >= 400)).toBe(true);
  });
});
