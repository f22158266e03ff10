import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isAlive } from '../../src/common/process-alive';

const root = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, attempts: number): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen`);
}

/**
 * Ctrl-C in a terminal signals the whole foreground process group. The API runs here as the
 * leader of a group of its own (as under a shell), so `kill(-pid)` is what the terminal does.
 */
describe('stopping the API with Ctrl-C on the embedded PostgreSQL', () => {
  let dir: string;
  let api: ChildProcess | undefined;

  beforeAll(() => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts/build-if-stale.mjs')], {
      cwd: root,
      stdio: 'ignore',
    });
    expect(build.status).toBe(0);
  }, 180_000);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fkapi-stop-'));
    await chmod(dir, 0o755); // under root the server runs as `postgres`, which must reach it
  });
  afterEach(async () => {
    if (api?.exitCode === null && api.pid) process.kill(-api.pid, 'SIGKILL');
    const pidFile = path.join(dir, 'pg/postmaster.pid');
    if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('closes Nest, then the database, and exits 0 without a warning', async () => {
    const [pgPort, apiPort] = [await freePort(), await freePort()];
    const dataDir = path.join(dir, 'pg');
    const child = spawn(process.execPath, [path.join(root, 'dist/main.js')], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        EMBEDDED_PG_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        DEMO_DATA: 'false',
      },
    });
    api = child;
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const ready = async (): Promise<boolean> =>
      fetch(`http://127.0.0.1:${apiPort}/api/health/ready`).then(
        (res) => res.status === 200,
        () => false,
      );
    await waitFor('readiness', ready, 360);
    // A cached read and the outbox drainer's polling keep the pool busy.
    expect((await fetch(`http://127.0.0.1:${apiPort}/api/clubs/search?keyword=a`)).status).toBe(200);
    const serverPid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(isAlive(serverPid)).toBe(true);

    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);

    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(stderr).toBe('');
    expect(lines.filter((line) => ['warn', 'error', 'fatal'].includes(line.level))).toEqual([]);
    const messages = lines.map((line) => line.msg);
    expect(messages.slice(-2)).toEqual(['SIGINT: stopping', 'Stopped']);
    expect(isAlive(serverPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 120_000);
});
