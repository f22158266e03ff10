import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { freePort, sleep } from './ports';

/**
 * A redis-server of the test's own, on its own port, that the test may kill and restart: the
 * shared Redis other test files use is never touched.
 */
export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL: connections drop at once, nothing is saved (the server runs without persistence). */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers (a hung server) until `resume`. */
  pause(): void;
  /** SIGCONT: it answers again, what it held intact. */
  resume(): void;
  /** Starts it again on the same port: empty, or with what it had when `persistent`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `persistent`: every write is appended and fsynced (AOF, `appendfsync always`) in a temporary
 * directory, so a server killed with SIGKILL comes back with the entries it held, as a production
 * Redis with persistence would: stale entries survive the outage and must be invalidated.
 * `args`: more redis-server options (e.g. `--maxmemory`).
 */
export async function startOwnRedis(
  options: { persistent?: boolean; args?: readonly string[] } = {},
): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'fkapi-chaos-redis-'));
  const logFile = path.join(dir, 'redis.log');
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;

  const start = async (): Promise<void> => {
    const log = openSync(logFile, 'a');
    child = spawn(
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
        ...persistence,
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log); // the child has its own copy
    for (let attempt = 0; attempt < 300; attempt++) {
      // A fresh client each time: one whose connection failed does not connect again.
      const client = createClient({ url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        await client.close();
        return;
      } catch {
        if (client.isOpen) client.destroy();
        await sleep(50);
      }
    }
    throw new Error(
      `redis-server did not start on port ${port}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`,
    );
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const signal = (name: NodeJS.Signals): void => {
    if (!child || child.exitCode !== null) throw new Error('redis-server is not running');
    child.kill(name);
  };
  await start();
  const stop = async (): Promise<void> => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, port, kill, start, stop, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT') };
}
