import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient } from 'redis';
import { makeClub, makeKit } from '../factories/catalog';
import { ADMIN_KEY, adminHeaders } from '../utils/test-app';
import { startTcpProxy, TcpProxy, throughProxy } from '../utils/tcp-proxy';
import { ApiProcess } from './harness/api-process';
import { formatReport, quantileMs, runConsistencyCheck } from './harness/consistency';
import { chaosSeconds, ChaosEnvironment, startChaosEnvironment } from './harness/environment';
import { sleep } from './harness/ports';
import { ENTRY } from '../utils/redis-db';

/**
 * Real processes, real faults: Redis killed under load, a process killed between commit and
 * invalidation, PostgreSQL cut off, SIGTERM with a request in flight. `npm run chaos:faults`.
 */

const REDIS_COMMAND_TIMEOUT_MS = 250;
/** The preload that makes an API process die between a commit and its invalidation. */
const CRASH_AFTER_COMMIT = path.join(__dirname, 'harness/crash-after-commit.cjs');

async function call(
  api: ApiProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { ...adminHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
    headers: res.headers,
  };
}

/** A request on a connection of its own (no keep-alive reuse): refused once the server stops listening. */
function freshConnectionStatus(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/api/health`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
}

/** API keys must never reach a log line, however verbose. */
function expectNoKeysLogged(api: ApiProcess, ...keys: string[]): void {
  for (const key of keys) expect(api.output()).not.toContain(key);
}

/**
 * The p99 latency of requests that began during a Redis outage may exceed the p99 before it by at
 * most this: a request meets at most a few command timeouts (a read's lookup, a write's
 * invalidation and its fill) before the circuit breaker answers without Redis.
 */
const OUTAGE_P99_ALLOWANCE_MS = 4 * REDIS_COMMAND_TIMEOUT_MS;

/**
 * Runs the consistency check on `apis` with Redis out for the middle third of the run (`down`,
 * then `up`), and checks what every outage must leave: no 5xx, nothing stale, the outage's
 * invalidations drained, and latency during the outage within OUTAGE_P99_ALLOWANCE_MS of before.
 */
async function outageUnderLoad(
  env: ChaosEnvironment,
  apis: ApiProcess[],
  fault: { name: string; down(): Promise<void> | void; up(): Promise<void> | void },
): Promise<void> {
  const seconds = chaosSeconds(12);
  const before = seconds / 4;
  const outage = seconds / 3;
  let downAt = Infinity;
  let upAt = Infinity;
  const started = performance.now();
  const running = runConsistencyCheck({
    instances: apis.map((a) => a.url),
    dataSource: env.dataSource,
    seconds,
  });
  // The load always runs to its end, so a failing fault step leaves no requests behind.
  let faultFailure: Error | undefined;
  try {
    await sleep(before * 1000);
    downAt = performance.now();
    await fault.down();
    await sleep(outage * 1000);
    upAt = performance.now();
    await fault.up();
  } catch (error) {
    faultFailure = error instanceof Error ? error : new Error(String(error));
  }
  const report = await running;
  if (faultFailure) throw faultFailure;
  const p99Before = quantileMs(report, 0.99, -Infinity, downAt);
  const p99During = quantileMs(report, 0.99, downAt, upAt);
  const during = report.samples.filter((s) => s.start >= downAt && s.start < upAt).length;
  process.stdout.write(
    `${fault.name}: ${formatReport(report)}\n` +
      `  Redis out ${((downAt - started) / 1000).toFixed(1)}–${((upAt - started) / 1000).toFixed(1)} s ` +
      `(command timeout ${REDIS_COMMAND_TIMEOUT_MS} ms): p99 before ${p99Before.toFixed(1)} ms, ` +
      `during ${p99During.toFixed(1)} ms, after ${quantileMs(report, 0.99, upAt, Infinity).toFixed(1)} ms; ` +
      `requests during the outage: ${during}\n`,
  );
  expect(report.examples).toEqual([]);
  expect(report).toMatchObject({ stale: 0, serverErrors: 0, failedWrites: 0, failedReads: 0 });
  expect(during).toBeGreaterThan(0);
  expect(report.cacheHits).toBeGreaterThan(0);
  expect(p99During).toBeLessThanOrEqual(p99Before + OUTAGE_P99_ALLOWANCE_MS);
  // Writes during the outage left their invalidations in the outbox; they reached Redis on recovery.
  const output = apis.map((api) => api.output()).join('\n');
  expect(output).toMatch(/invalidated \d+ (pending )?outbox row\(s\)/);
  expect(await env.outboxRows()).toBe(0);
  for (const api of apis) expectNoKeysLogged(api, ADMIN_KEY);
}

describe('Redis killed under load and brought back', () => {
  let env: ChaosEnvironment;
  let apis: ApiProcess[];

  beforeAll(async () => {
    env = await startChaosEnvironment({ persistentRedis: true });
    const settings = { REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS) };
    apis = await Promise.all([env.startApi(settings), env.startApi(settings)]);
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it('answers no 5xx, serves nothing stale before, during or after, and drains the outage’s invalidations', async () => {
    await outageUnderLoad(env, apis, {
      name: 'SIGKILL',
      down: () => env.redis.kill(),
      up: () => env.redis.start(),
    });
  }, 120_000);
});

describe('Redis hanging (SIGSTOP) under load, then continued', () => {
  let env: ChaosEnvironment;
  let apis: ApiProcess[];

  beforeAll(async () => {
    env = await startChaosEnvironment();
    const settings = { REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS) };
    apis = await Promise.all([env.startApi(settings), env.startApi(settings)]);
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it('answers within a few command timeouts of the usual p99, serves nothing stale, drains the outage’s invalidations', async () => {
    // The connections stay open and silent: every command waits for its timeout, not a refusal.
    await outageUnderLoad(env, apis, {
      name: 'SIGSTOP',
      down: () => env.redis.pause(),
      up: () => env.redis.resume(),
    });
  }, 120_000);
});

describe('a process killed between commit and invalidation', () => {
  let env: ChaosEnvironment;

  beforeAll(async () => {
    env = await startChaosEnvironment();
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it('leaves the outbox row; the restarted process drains it before serving, so nothing stale is read', async () => {
    const club = await makeClub(env.dataSource, { name: 'Before Crash' });
    const kit = await makeKit(env.dataSource, { team: club });
    // The fault comes from outside: a preload that SIGKILLs the process after the commit.
    const crashing = await env.startApi({}, undefined, ['--require', CRASH_AFTER_COMMIT]);
    expect((await call(crashing, 'GET', `/api/clubs/${club.id}`)).json.name).toBe('Before Crash');
    expect((await call(crashing, 'GET', `/api/kits/${kit.id}`)).json.team).toMatchObject({
      name: 'Before Crash',
    });

    await expect(call(crashing, 'PATCH', `/api/clubs/${club.id}`, { name: 'After Crash' })).rejects.toThrow();
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The write committed, its invalidation did not happen: the old entries are still in Redis.
    const [row] = await env.dataSource.query<{ name: string }[]>('SELECT name FROM clubs WHERE id = $1', [
      club.id,
    ]);
    expect(row.name).toBe('After Crash');
    expect(await env.outboxRows()).toBeGreaterThan(0);
    const redis = createClient({ url: env.redis.url });
    await redis.connect();
    try {
      expect(await redis.get(`${ENTRY}club_${club.id}`)).toContain('Before Crash');
    } finally {
      await redis.close();
    }

    // Reads wait for the drain (the reads-resume gate), so the first ones already see the write.
    const restarted = await env.startApi();
    expect((await call(restarted, 'GET', `/api/clubs/${club.id}`)).json.name).toBe('After Crash');
    expect((await call(restarted, 'GET', `/api/kits/${kit.id}`)).json.team).toMatchObject({
      name: 'After Crash',
    });
    let pending = await env.outboxRows();
    for (let attempt = 0; attempt < 100 && pending > 0; attempt++) {
      await sleep(100);
      pending = await env.outboxRows();
    }
    expect(pending).toBe(0);
    expectNoKeysLogged(crashing, ADMIN_KEY);
  }, 120_000);
});

describe('PostgreSQL cut off and back', () => {
  let env: ChaosEnvironment;
  let proxy: TcpProxy;
  let api: ApiProcess;

  beforeAll(async () => {
    env = await startChaosEnvironment();
    const target = new URL(env.db.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    api = await env.startApi({}, throughProxy(env.db.url, proxy));
  }, 180_000);
  afterAll(async () => {
    await proxy?.close();
    await env?.close();
  }, 60_000);

  it('is not ready, refuses writes with 503 JSON, keeps serving cached reads, and recovers by itself', async () => {
    const club = await makeClub(env.dataSource, { name: 'Cached Through' });
    const other = await makeClub(env.dataSource, { name: 'Never Read' });
    const kit = await makeKit(env.dataSource, { team: club });
    expect((await call(api, 'GET', `/api/clubs/${club.id}`)).status).toBe(200);
    expect((await call(api, 'GET', `/api/kits/${kit.id}`)).status).toBe(200);
    // Over a real socket, repeated cached reads (the fast paths) keep the security headers.
    for (let i = 0; i < 3; i++) {
      const again = await call(api, 'GET', `/api/clubs/${club.id}`);
      expect(again.headers.get('x-content-type-options')).toBe('nosniff');
      expect(again.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    }

    proxy.cut();
    const ready = await call(api, 'GET', '/api/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ code: 'not_ready', request_id: expect.any(String) });

    const cached = await call(api, 'GET', `/api/clubs/${club.id}`);
    expect(cached).toMatchObject({ status: 200, json: { name: 'Cached Through' } });
    expect((await call(api, 'GET', `/api/kits/${kit.id}`)).status).toBe(200);

    for (const write of [
      () => call(api, 'PATCH', `/api/clubs/${club.id}`, { name: 'Written While Down' }),
      () => call(api, 'DELETE', `/api/kits/${kit.id}`),
      () => call(api, 'GET', `/api/clubs/${other.id}`), // not cached: needs the database
    ]) {
      const res = await write();
      expect(res.status).toBe(503);
      expect(res.json).toEqual({
        detail: 'The database is unavailable; try again shortly',
        code: 'database_unavailable',
        request_id: expect.any(String),
      });
      expect(res.text).not.toMatch(/SELECT|UPDATE|INSERT|DELETE FROM|\n\s+at /);
    }

    proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 300 && status !== 200; attempt++) {
      status = (await call(api, 'GET', '/api/health/ready')).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
    const written = await call(api, 'PATCH', `/api/clubs/${club.id}`, { name: 'Written After' });
    expect(written.status).toBe(200);
    expect((await call(api, 'GET', `/api/clubs/${club.id}`)).json.name).toBe('Written After');
    expect((await call(api, 'GET', `/api/clubs/${other.id}`)).json.name).toBe('Never Read');
    expect(api.child.exitCode).toBeNull();
    expectNoKeysLogged(api, ADMIN_KEY);
  }, 120_000);
});

describe('SIGTERM with a request in flight', () => {
  let env: ChaosEnvironment;

  beforeAll(async () => {
    env = await startChaosEnvironment();
  }, 180_000);
  afterAll(async () => env?.close(), 60_000);

  it('stops accepting, finishes the request, drains the outbox and exits 0; keys never logged', async () => {
    const wrongKey = 'not-the-admin-key-but-secret-too';
    const api = await env.startApi({ LOG_LEVEL: 'verbose' });
    const club = await makeClub(env.dataSource, { name: 'Locked Club' });
    expect((await call(api, 'GET', `/api/clubs/${club.id}`)).status).toBe(200);
    const refused = await fetch(`${api.url}/api/clubs/${club.id}`, {
      method: 'PATCH',
      headers: { 'x-api-key': wrongKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Nope' }),
    });
    expect(refused.status).toBe(401);

    // Honest slowness: the PATCH waits for a row lock this test holds.
    const locker = env.dataSource.createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    await locker.query('SELECT id FROM clubs WHERE id = $1 FOR UPDATE', [club.id]);
    const patch = call(api, 'PATCH', `/api/clubs/${club.id}`, { name: 'Renamed During Shutdown' });
    let waiting = 0;
    for (let attempt = 0; attempt < 300 && waiting === 0; attempt++) {
      const [{ count }] = await env.dataSource.query<{ count: string }[]>(
        "SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
        [env.db.name],
      );
      waiting = Number(count);
      if (waiting === 0) await sleep(50);
    }
    expect(waiting).toBe(1);

    api.child.kill('SIGTERM');
    let fresh: number | string = 0;
    for (let attempt = 0; attempt < 300 && fresh !== 'ECONNREFUSED'; attempt++) {
      fresh = await freshConnectionStatus(api.url);
      if (fresh !== 'ECONNREFUSED') await sleep(50);
    }
    expect(fresh).toBe('ECONNREFUSED');
    expect(api.child.exitCode).toBeNull(); // still finishing the PATCH

    await locker.commitTransaction();
    await locker.release();
    const done = await patch;
    expect(done).toMatchObject({ status: 200, json: { name: 'Renamed During Shutdown' } });
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(await env.outboxRows()).toBe(0);
    const redis = createClient({ url: env.redis.url });
    await redis.connect();
    try {
      expect(await redis.get(`${ENTRY}club_${club.id}`)).toBeNull();
    } finally {
      await redis.close();
    }
    expectNoKeysLogged(api, ADMIN_KEY, wrongKey);
  }, 120_000);
});
