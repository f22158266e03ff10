import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { sendError } from '../../src/common/errors/api-exception.filter';
import { ConfigError, loadConfig } from '../../src/config/app-config';
import { createRootLogger } from '../../src/logging/logger';
import { makeClub } from '../factories/catalog';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const ADMIN_KEY = 'logging-admin-key-0123456789';
const READ_KEY = 'logging-read-key-0123456789';
const BEARER = 'bearer-secret-0123456789';

/** pino-pretty's colours (ESC [ … m). */
const ANSI_COLOR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

type LogLine = Record<string, unknown> & { level: string; msg?: string; request_id?: string };

/** A log sink: every line pino writes, parsed; lines that are not JSON are kept in `invalid`. */
function sink(): { stream: Writable; lines: LogLine[]; invalid: string[] } {
  const lines: LogLine[] = [];
  const invalid: string[] = [];
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) {
        if (line === '') continue;
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          invalid.push(line);
        }
      }
      callback();
    },
  });
  return { stream, lines, invalid };
}

async function startLoggedApp(
  db: TestDatabase,
  env: Record<string, string>,
): Promise<{ app: NestFastifyApplication; lines: LogLine[]; invalid: string[] }> {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'log',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '2',
    ADMIN_API_KEY: ADMIN_KEY,
    API_AUTH_ENABLED: 'true',
    API_KEYS: READ_KEY,
    RATE_LIMIT_PER_HOUR: '0',
    ...env,
  });
  const { stream, lines, invalid } = sink();
  const app = await createApp(config, createRootLogger(config, stream));
  // A route that fails unexpectedly, answered by the exception filter's own function.
  app
    .getHttpAdapter()
    .getInstance()
    .get('/test/unexpected', (request, reply) => {
      sendError(new Error('kaboom in a handler'), request, reply);
    });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, lines, invalid };
}

const accessLines = (lines: LogLine[]): LogLine[] => lines.filter((l) => l.msg === 'request completed');

describe('Structured logs (pino)', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let lines: LogLine[];
  let invalid: string[];
  let clubId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app, lines, invalid } = await startLoggedApp(db, {}));
    clubId = (await makeClub(app.get(DataSource))).id;
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it("writes Nest's own start-up lines as JSON with their context", () => {
    const routes = lines.find((l) => l.context === 'RoutesResolver');
    expect(routes).toMatchObject({ level: 'info' });
    expect(typeof routes?.time).toBe('string');
  });

  it('logs one JSON access line per request whose request_id is the X-Request-Id header', async () => {
    const before = accessLines(lines).length;
    const res = await app.inject({ url: `/api/clubs/${clubId}`, headers: { 'x-api-key': READ_KEY } });
    expect(res.statusCode).toBe(200);
    const id = res.headers['x-request-id'];
    expect(typeof id).toBe('string');
    const logged = accessLines(lines).slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'info',
      request_id: id,
      method: 'GET',
      url: `/api/clubs/${clubId}`,
      route: '/api/clubs/:club_id',
      status: 200,
    });
    expect(typeof logged[0].duration_ms).toBe('number');
  });

  it("keeps a caller's X-Request-Id in the header, the error body and the log line", async () => {
    const res = await app.inject({
      url: '/api/clubs/99999999',
      headers: { 'x-api-key': READ_KEY, 'x-request-id': 'trace-abc.123' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('trace-abc.123');
    expect(res.json()).toMatchObject({ request_id: 'trace-abc.123' });
    expect(accessLines(lines).filter((l) => l.request_id === 'trace-abc.123')).toEqual([
      expect.objectContaining({ status: 404, url: '/api/clubs/99999999' }),
    ]);
  });

  it('logs an unexpected error once, with its stack and the request_id the 500 body gives', async () => {
    const res = await app.inject({ url: '/test/unexpected', headers: { 'x-api-key': READ_KEY } });
    expect(res.statusCode).toBe(500);
    const body = res.json<{ request_id: string; detail: string }>();
    expect(body.request_id).toBe(res.headers['x-request-id']);
    expect(body.detail).not.toContain('kaboom');
    const errors = lines.filter((l) => l.level === 'error' && l.request_id === body.request_id);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'unexpected error',
      status: 500,
      err: { message: 'kaboom in a handler' },
    });
    expect(String((errors[0].err as { stack?: string }).stack)).toContain('logging.e2e-spec.ts');
  });

  it('writes nothing but JSON lines', () => {
    expect(lines.length).toBeGreaterThan(10);
    expect(invalid).toEqual([]);
  });

  it('never writes an API key or an Authorization header to the log', async () => {
    await app.inject({
      url: `/api/clubs/${clubId}`,
      headers: { 'x-api-key': READ_KEY, authorization: BEARER },
    });
    await app.inject({ url: `/api/clubs/${clubId}`, headers: { 'x-api-key': 'wrong-key-0123456789abcdef' } });
    await app.inject({
      method: 'POST',
      url: '/api/brands',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'Logged Brand' }),
    });
    const everything = JSON.stringify(lines);
    expect(accessLines(lines).length).toBeGreaterThanOrEqual(3);
    for (const secret of [READ_KEY, ADMIN_KEY, BEARER, 'wrong-key-0123456789abcdef']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('redacts keys and credentials from objects given to the logger', () => {
    const { stream, lines: out } = sink();
    const logger = createRootLogger({ logLevel: 'log', logFormat: 'json' }, stream);
    logger.info(
      { req: { headers: { 'x-api-key': READ_KEY, authorization: BEARER, accept: 'x/y' } } },
      'headers',
    );
    logger.info({ headers: { 'x-api-key': ADMIN_KEY } }, 'headers again');
    expect(JSON.stringify(out)).not.toMatch(new RegExp(`${READ_KEY}|${ADMIN_KEY}|${BEARER}`));
    expect(out[0]).toMatchObject({
      req: { headers: { 'x-api-key': '[redacted]', authorization: '[redacted]', accept: 'x/y' } },
    });
  });
});

describe('Access log switches', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  for (const [what, env] of [
    ['LOG_REQUESTS=false', { LOG_REQUESTS: 'false' }],
    ['LOG_LEVEL=warn (the benchmarks)', { LOG_LEVEL: 'warn' }],
  ] as const) {
    it(`writes no access line with ${what}, and the request still gets its id`, async () => {
      const { app, lines } = await startLoggedApp(db, env);
      try {
        const res = await app.inject({ url: '/api/health' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-request-id']).toBeDefined();
        // The same request with the default settings logs a line (previous describe).
        expect(accessLines(lines)).toEqual([]);
      } finally {
        await app.close();
      }
    });
  }
});

describe('LOG_FORMAT', () => {
  it('defaults to pretty in development and to JSON lines elsewhere', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'development', LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('writes pino-pretty lines, not JSON, with LOG_FORMAT=pretty', () => {
    // A fresh process: the pretty transport writes to the real stdout from a worker thread.
    // It loads src/logging/logger.ts compiled by swc, as jest does.
    const script = `
      const { transformFileSync } = require('@swc/core');
      const Module = require('node:module');
      const path = require('node:path');
      const file = path.resolve('src/logging/logger.ts');
      const { code } = transformFileSync(file, {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      });
      const m = new Module(file);
      m.filename = file;
      m.paths = Module._nodeModulePaths(path.dirname(file));
      m._compile(code, file);
      const log = m.exports.createRootLogger({ logLevel: 'log', logFormat: 'pretty' });
      log.info({ request_id: 'pretty-id-1' }, 'hello from pretty');
      log.debug('not at this level');`;
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const text = run.stdout.replace(ANSI_COLOR, '');
    expect(text).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello from pretty\n\s+request_id: "pretty-id-1"\n$/,
    );
  });

  it('refuses an unknown format with one line naming the variable', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(() => loadConfig({ LOG_REQUESTS: 'maybe' })).toThrow(/LOG_REQUESTS/);
  });
});
