import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HELP_WIDTH } from '../../src/cli/commands/help.command';
import { leaseRedisDb } from '../utils/redis-db';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const root = path.resolve(__dirname, '../..');
/** The `fkapi` bin of package.json: compiles when src/ changed, then runs dist/cli/main.js. */
const bin = path.join(root, 'scripts/fkapi.mjs');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Each test starts a node process or two; on a loaded machine that alone can take 10 s.
jest.setTimeout(120_000);

describe('the fkapi command', () => {
  let db: TestDatabase;
  let cwd: string;

  /** Runs `fkapi …` in `cwd` with only these variables beyond the system's basics. */
  const fkapi = (args: string[], env: Record<string, string> = {}): Promise<Result> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-if-stale.mjs')], {
      cwd: root,
      stdio: 'ignore',
    });
    expect(build.status).toBe(0);
    db = await createTestDatabase();
  }, 180_000);
  afterAll(async () => db.drop());

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'fkapi-cwd-'));
  });
  afterEach(async () => rm(cwd, { recursive: true, force: true }));

  it.each([[['help']], [['help', 'seed']], [['help', 'cache']], [['help', 'migrate']]])(
    '%j prints lines of at most 80 columns',
    async (args) => {
      const { code, stdout } = await fkapi(args);
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      expect(lines.length).toBeGreaterThan(3);
      const tooWide = lines.filter((line) => line.length > HELP_WIDTH);
      expect(tooWide).toEqual([]);
    },
  );

  it('keeps every word of a wrapped help text', async () => {
    const { stdout } = await fkapi(['help', 'cache']);
    const words = stdout.split(/\s+/).join(' ');
    expect(words).toContain(
      'cache invalidate (--club N | --season N | --kit N | --brand N | --competition N | --user-collection ID | --search | --key KEY | --all)',
    );
  });

  it('reads DATABASE_URL from ./.env in its working directory', async () => {
    await writeFile(path.join(cwd, '.env'), `# the test database\nDATABASE_URL=${db.url}\nLOG_LEVEL=warn\n`);
    const result = await fkapi(['migrate']);
    expect(result).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^The database schema is up to date \(\d+ migrations applied\)\n$/),
    });
  });

  it('lets a variable set in the environment win over ./.env', async () => {
    await writeFile(path.join(cwd, '.env'), `DATABASE_URL=${db.url}\n`);
    const result = await fkapi(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/fkapi' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: cannot open the database: connect ECONNREFUSED 127.0.0.1:1\n',
    });
  });

  it('refuses a bad value in ./.env with the one configuration line', async () => {
    await writeFile(path.join(cwd, '.env'), 'DATABASE_URL=mysql://localhost/fkapi\n');
    const result = await fkapi(['migrate']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: Invalid configuration: DATABASE_URL: DATABASE_URL must be a postgres:// URL\n',
    });
  });

  it('warns after seed --reset that an API without REDIS_URL keeps serving its in-process cache', async () => {
    await writeFile(path.join(cwd, '.env'), `DATABASE_URL=${db.url}\nLOG_LEVEL=warn\n`);
    const result = await fkapi(['seed', '--kits', '20', '--reset']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Seeded 20 kits/);
    expect(result.stderr).toContain(
      'without REDIS_URL keeps the old catalogue in its\nin-process cache until it restarts',
    );
    expect(result.stderr).toContain('npx fkapi cache invalidate --all\n');
  });

  it('prints after seed --reset, with REDIS_URL, the command that drops the shared cache', async () => {
    const redis = await leaseRedisDb();
    try {
      await writeFile(
        path.join(cwd, '.env'),
        `DATABASE_URL=${db.url}\nREDIS_URL=${redis.url}\nLOG_LEVEL=warn\n`,
      );
      const result = await fkapi(['seed', '--kits', '20', '--reset']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /warning: an API serving this database still answers from the Redis cache; drop it with:\n {2}npx fkapi cache invalidate --all\n$/,
      );
    } finally {
      await redis.release();
    }
  });
});
