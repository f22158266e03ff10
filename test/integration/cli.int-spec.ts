import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { staleCacheWarning } from '../../src/cli/commands/seed.command';
import { runCli } from '../../src/cli/run-cli';
import { loadConfig } from '../../src/config/app-config';
import { CapturedOutput, runCliCaptured } from '../utils/cli-output';
import { ENTRY, leaseRedisDb } from '../utils/redis-db';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

async function counts(url: string): Promise<{ kits: number; clubs: number; max_id: number | null }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ kits: number; clubs: number; max_id: number | null }>(
      'SELECT (SELECT count(*) FROM kits)::int AS kits, (SELECT count(*) FROM clubs)::int AS clubs, (SELECT max(id) FROM kits)::int AS max_id',
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe('cli, run in-process', () => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => db.drop());

  const run = (...argv: string[]) => runCliCaptured({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, argv);

  it('seeds --kits 500: exit 0, 500 kits and 50 clubs, a summary on stdout, progress lines on stderr', async () => {
    const { code, stdout, stderr } = await run('seed', '--kits', '500', '--reset');
    expect(code).toBe(0);
    expect(await counts(db.url)).toEqual({ kits: 500, clubs: 50, max_id: 500 });
    expect(stdout.lines).toEqual([
      expect.stringMatching(/^Seeded 500 kits, 50 clubs, 45 seasons, .* seed "fkapi"$/),
    ]);
    const progress = stderr.lines.filter((line) => /^\d+% /.test(line));
    expect(progress[0]).toMatch(/^0% \(0\/500 kits, \d+\.\d s\)$/);
    expect(progress[progress.length - 1]).toMatch(/^100% \(500\/500 kits, \d+\.\d s\)$/);
    expect(stderr.lines.slice(progress.length)).toEqual(staleCacheWarning(false).split('\n').filter(Boolean));
  });

  it('refuses to seed over existing kits without --reset: exit 1, one line, nothing changed', async () => {
    await run('seed', '--kits', '100');
    const { code, stdout, stderr } = await run('seed', '--kits', '200');
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.lines).toEqual([
      'error: the database already has 100 kits; pass --reset to replace its catalogue',
    ]);
    expect(await counts(db.url)).toEqual({ kits: 100, clubs: 10, max_id: 100 });
  });

  it('replaces the catalogue with --reset, numbering kits from 1 again', async () => {
    await run('seed', '--kits', '100');
    const { code } = await run('seed', '--kits', '30', '--reset', '--seed', 'another');
    expect(code).toBe(0);
    expect(await counts(db.url)).toEqual({ kits: 30, clubs: 3, max_id: 30 });
  });

  it.each([
    [['seed', '--kits', 'abc'], 'error: --kits must be a whole number from 1 to 5000000, not "abc"'],
    [['seed', '--kits', '0'], 'error: --kits must be a whole number from 1 to 5000000, not "0"'],
    [['seed', '--kits', '12.5'], 'error: --kits must be a whole number from 1 to 5000000, not "12.5"'],
    [['seed'], 'error: --kits must be a whole number from 1 to 5000000; it is required'],
    [['seed', '--kits', '5', '--colour', 'red'], "error: Unknown option '--colour'"],
    [['seed', '--kits', '5', 'extra'], "error: Unexpected argument 'extra'"],
  ])('refuses %j with exit 2 and one line naming the problem and the usage', async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.lines).toEqual([`${message} (usage: seed --kits N [--seed S] [--reset])`]);
    expect((await counts(db.url)).kits).toBe(0);
  });

  it('refuses an unknown command with exit 2, listing the commands', async () => {
    const { code, stderr } = await run('warm-everything');
    expect(code).toBe(2);
    expect(stderr.lines).toEqual([
      'error: unknown command "warm-everything" (commands: seed, migrate, cache, help)',
    ]);
  });

  it('reports a configuration error as one line, exit 1', async () => {
    const stderr = new CapturedOutput();
    const code = await runCli(['migrate'], {
      io: { stdout: new CapturedOutput(), stderr },
      readConfig: () => loadConfig({ DATABASE_URL: 'mysql://localhost/fkapi' }),
    });
    expect(code).toBe(1);
    expect(stderr.lines).toEqual([
      'error: Invalid configuration: DATABASE_URL: DATABASE_URL must be a postgres:// URL',
    ]);
  });

  it.each([
    [
      'no server listens',
      'postgres://postgres@127.0.0.1:1/fkapi',
      /^error: cannot open the database: connect ECONNREFUSED 127\.0\.0\.1:1$/,
    ],
    [
      'the database does not exist',
      'postgres://postgres@127.0.0.1:5432/fkapi_no_such_database',
      /^error: cannot open the database: database "fkapi_no_such_database" does not exist$/,
    ],
  ])('fails to migrate when %s: exit 1, one line naming the database', async (_why, url, message) => {
    const stdout = new CapturedOutput();
    const stderr = new CapturedOutput();
    const code = await runCli(['migrate'], {
      io: { stdout, stderr },
      readConfig: () => loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'fatal' }),
    });
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.lines).toEqual([expect.stringMatching(message)]);
  });

  it('migrates: exit 0 and says the schema is up to date', async () => {
    const { code, stdout } = await run('migrate');
    expect(code).toBe(0);
    expect(stdout.lines).toEqual([
      expect.stringMatching(/^The database schema is up to date \(\d+ migrations applied\)$/),
    ]);
  });

  it('lists the commands on help, and explains one on help <command>', async () => {
    const list = await run('help');
    expect(list.code).toBe(0);
    expect(list.stdout.text).toContain('seed --kits N [--seed S] [--reset]');
    expect(list.stdout.text).toContain('migrate');
    const seed = await run('help', 'seed');
    expect(seed.code).toBe(0);
    expect(seed.stdout.text).toContain('--reset    empty the catalogue tables first');
    const cache = await run('help', 'cache');
    expect(cache.code).toBe(0);
    expect(cache.stdout.text).toContain('cache warm [--clubs N] [--kits N] [--seasons] [--search]');
  });
});

describe('cli, as the compiled process', () => {
  const root = path.resolve(__dirname, '../..');
  const main = path.join(root, 'dist/cli/main.js');
  let db: TestDatabase;

  const node = (
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [main, ...args],
        { cwd: root, env: { ...process.env, LOG_LEVEL: 'log', ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    // `npm run cli` builds first; so does this test, so it runs the code under test.
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'ignore' });
    expect(existsSync(main)).toBe(true);
    db = await createTestDatabase();
  }, 120_000);
  afterAll(async () => db.drop());

  it('seed --kits 500 --reset exits 0 and fills the DATABASE_URL database', async () => {
    const result = await node(['seed', '--kits', '500', '--reset'], { DATABASE_URL: db.url });
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Seeded 500 kits, 50 clubs/) });
    expect(await counts(db.url)).toEqual({ kits: 500, clubs: 50, max_id: 500 });
  });

  it('cache warm exits 0 with its summary, and 1 with one line when Redis does not answer', async () => {
    const redis = await leaseRedisDb();
    try {
      expect((await node(['seed', '--kits', '200', '--reset'], { DATABASE_URL: db.url })).code).toBe(0);
      const warmed = await node(['cache', 'warm', '--clubs', '5', '--kits', '10'], {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
      });
      // 5 clubs × (detail, kits page) + 10 kits + the brands with kits (at most 20).
      expect(warmed).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(
          /^Warmed the cache in \d+\.\d s: 2\d reads, 2\d stored, 0 already cached;/,
        ),
      });
      expect(warmed.stderr).toMatch(/^100% \(2\d\/2\d reads, /m);
      expect(await redis.client.exists(`${ENTRY}kit_200`)).toBe(1);

      const down = await node(['cache', 'warm'], {
        DATABASE_URL: db.url,
        REDIS_URL: 'redis://127.0.0.1:1/0',
      });
      expect(down).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: Redis did not answer: nothing was warmed\n',
      });
    } finally {
      await redis.release();
    }
  }, 120_000); // three CLI processes, each 5-10 s on a loaded 2-core machine

  it('seed --kits abc exits 2 with one readable line on stderr', async () => {
    const result = await node(['seed', '--kits', 'abc'], { DATABASE_URL: db.url });
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: --kits must be a whole number from 1 to 5000000, not "abc" (usage: seed --kits N [--seed S] [--reset])\n',
    });
  });

  it('without DATABASE_URL, seeds the embedded PostgreSQL and stops it afterwards', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fkapi-cli-'));
    await chmod(dir, 0o755); // under root the server runs as `postgres`, which must reach the directory
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    try {
      const dataDir = path.join(dir, 'pg');
      const env = { DATABASE_URL: '', EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(port) };
      const result = await node(['seed', '--kits', '50'], env);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`Embedded PostgreSQL at ${dataDir}, port ${port}`);
      expect(result.stdout).toMatch(/^Seeded 50 kits, 5 clubs/);
      expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
