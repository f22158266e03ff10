import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { freePort, sleep } from '../chaos/harness/ports';
import { TestDatabase } from './test-database';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const DATABASE = 'fkapi';

/**
 * A PostgreSQL 15 primary and one streaming replica of the test's own (`initdb`, then
 * `pg_basebackup -R` of the primary), on free loopback ports in a temporary directory, removed by
 * `stop()`. The shared PostgreSQL other test files use is never touched. `database` is migrated on
 * the primary and reaches the replica by streaming, like any other write.
 */
export interface PgReplicaPair {
  /** The migrated application database on the primary (`drop()` is a no-op: `stop()` removes all). */
  database: TestDatabase;
  replicaUrl: string;
  /** How long the replica holds each commit before applying it (`recovery_min_apply_delay`). */
  setApplyDelay(ms: number): Promise<void>;
  /** Resolves once the replica has replayed everything the primary has written so far. */
  waitForCatchUp(timeoutMs?: number): Promise<void>;
  /** One query on the replica (a test's own check of what it holds). */
  queryReplica<T>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** Runs a PostgreSQL binary as `postgres` when this process is root (initdb refuses root). */
async function asPostgres(binary: string, args: string[]): Promise<string> {
  const [command, prefix] =
    userInfo().uid === 0
      ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, binary)]]
      : [path.join(BIN, binary), []];
  const { stdout } = await run(command, [...prefix, ...args], { timeout: 120_000 });
  return stdout;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid), gid: Number(gid) };
}

async function queryOnce<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function startPgReplicaPair(options: { applyDelayMs?: number } = {}): Promise<PgReplicaPair> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fkapi-pg-replica-'));
  if (userInfo().uid === 0) {
    const { uid, gid } = await postgresIds();
    chownSync(dir, uid, gid);
  }
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const started: string[] = [];
  const settings = (port: number): string =>
    [
      '',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'fsync = off',
      'full_page_writes = off',
      'shared_buffers = 16MB',
      'max_connections = 60',
      'hot_standby_feedback = on',
      '',
    ].join('\n');
  const startServer = async (dataDir: string): Promise<void> => {
    await asPostgres('pg_ctl', [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      dataDir,
      '-l',
      path.join(dataDir, 'server.log'),
    ]);
    started.push(dataDir);
  };
  const stop = async (): Promise<void> => {
    for (const dataDir of started.reverse()) {
      await asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-D', dataDir]).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await asPostgres('initdb', [
      '-D',
      primaryDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    appendFileSync(primaryDir + '/postgresql.conf', settings(primaryPort));
    await startServer(primaryDir);
    const primaryAdmin = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    await queryOnce(primaryAdmin, `CREATE DATABASE ${DATABASE}`);

    await asPostgres('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    ]);
    appendFileSync(
      replicaDir + '/postgresql.conf',
      settings(replicaPort) + `recovery_min_apply_delay = '${options.applyDelayMs ?? 0}ms'\n`,
    );
    await startServer(replicaDir);
    if (!existsSync(path.join(replicaDir, 'standby.signal')))
      throw new Error('pg_basebackup -R wrote no standby.signal');

    const url = `postgres://postgres@127.0.0.1:${primaryPort}/${DATABASE}`;
    const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/${DATABASE}`;
    const migrator = new DataSource(dataSourceOptions(url, 1));
    await migrator.initialize();
    await migrator.runMigrations();
    await migrator.destroy();

    const replicaAdmin = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
    const waitForCatchUp = async (timeoutMs = 30_000): Promise<void> => {
      const [{ lsn }] = await queryOnce<{ lsn: string }>(
        primaryAdmin,
        'SELECT pg_current_wal_lsn()::text AS lsn',
      );
      const giveUpAt = Date.now() + timeoutMs;
      for (;;) {
        const [{ behind }] = await queryOnce<{ behind: boolean | null }>(
          replicaAdmin,
          'SELECT pg_last_wal_replay_lsn() < $1::pg_lsn AS behind',
          [lsn],
        );
        if (behind === false) return;
        if (Date.now() > giveUpAt) throw new Error(`replica has not replayed up to ${lsn}`);
        await sleep(20);
      }
    };
    await waitForCatchUp(60_000);
    return {
      database: { name: DATABASE, url, drop: () => Promise.resolve() },
      replicaUrl,
      async setApplyDelay(ms) {
        await queryOnce(replicaAdmin, `ALTER SYSTEM SET recovery_min_apply_delay = '${Math.round(ms)}ms'`);
        await queryOnce(replicaAdmin, 'SELECT pg_reload_conf()');
      },
      waitForCatchUp,
      queryReplica: (sql, params) => queryOnce(replicaUrl, sql, params),
      stop,
    };
  } catch (error) {
    const logs = started
      .map((dataDir) => `${dataDir}:\n${readFileSync(path.join(dataDir, 'server.log'), 'utf8').slice(-1500)}`)
      .join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
}
