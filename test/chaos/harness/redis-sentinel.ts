// Redis under Sentinel, all of the test's own: a master, one replica and three sentinels on free
// loopback ports, without persistence; the shared Redis on 6379 is never touched.
import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, connect, createServer, Socket } from 'node:net';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { freePort, sleep } from './ports';
import { OwnRedis, startOwnRedis } from './redis-server';

export const MASTER_NAME = 'fkapi';
/** Sentinel's `down-after-milliseconds`: how long a silent master is tolerated before a failover. */
export const DOWN_AFTER_MS = 1000;
/**
 * Sentinel's `failover-timeout`. A failover whose election split (two sentinels asking for votes
 * at once) is tried again after twice this, so a test waiting for a natural failover allows
 * `DOWN_AFTER_MS + 2 * FAILOVER_TIMEOUT_MS` and some.
 */
export const FAILOVER_TIMEOUT_MS = 5000;
/**
 * How long a restarted old master may take to become a replica of the new one: the sentinels
 * convert it once they see it again, 16 s in a quiet run, more than 30 s once on a loaded CI
 * machine (Node 24 run of `.ci/run`).
 */
export const OLD_MASTER_RETURN_MS = 60_000;
/**
 * With `holdableReplication` the replica replicates through a link of ours, which must stay in
 * place for the test; a sentinel "fixes" a replica replicating another address than the
 * master's (`+fix-slave-config`) once `failover-timeout` passed: that long, then. Such a group
 * fails over by `forceFailover` (no election, so no split to wait out).
 */
const HOLDABLE_FAILOVER_TIMEOUT_MS = 600_000;

/**
 * The replica's replication connection, through the test: `hold()` keeps what the master sends
 * (the replica gets nothing and acknowledges nothing, though the master is alive), `release()`
 * delivers it. When the master dies, what was held is lost, as with a master that died before
 * its replication stream reached the replica.
 */
export interface ReplicationLink {
  port: number;
  hold(): void;
  release(): void;
  close(): void;
}

async function startReplicationLink(masterPort: number): Promise<ReplicationLink> {
  const sockets = new Set<Socket>();
  const links: Array<{ replica: Socket; held: Buffer[] }> = [];
  let holding = false;
  const server = createServer((replica) => {
    // No Nagle: an ACK held back 40 ms would show in every WAIT.
    const master = connect({ port: masterPort, host: '127.0.0.1', noDelay: true });
    replica.setNoDelay(true);
    const link = { replica, held: [] as Buffer[] };
    links.push(link);
    for (const socket of [replica, master]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    replica.on('data', (chunk: Buffer) => master.write(chunk));
    master.on('data', (chunk: Buffer) => (holding ? link.held.push(chunk) : replica.write(chunk)));
    replica.on('close', () => master.destroy());
    master.on('close', () => {
      link.held = [];
      replica.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const link of links) for (const chunk of link.held.splice(0)) link.replica.write(chunk);
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

export interface SentinelGroup {
  /** The first master and its replica: after a failover, `replica` is the master. */
  master: OwnRedis;
  replica: OwnRedis;
  sentinelPorts: number[];
  /** The replica's replication connection (`holdableReplication`), else null. */
  link: ReplicationLink | null;
  /** `REDIS_SENTINELS` and `REDIS_SENTINEL_MASTER` for an API process. */
  env: Record<string, string>;
  /** The master's port as the first sentinel that answers names it (null: none answers). */
  masterPort(): Promise<number | null>;
  /** Polls until the sentinels name `port` as the master; the time it took. */
  waitForMaster(port: number, timeoutMs: number): Promise<number>;
  /** `SENTINEL FAILOVER` on the first sentinel: promotes the replica without an election. */
  forceFailover(): Promise<void>;
  /** Starts the first master again (empty) and waits until the sentinels made it a replica that replicates. */
  restartOldMaster(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Sends one command to a server on `port`, closing the connection after. */
export async function ask(port: number, command: string[]): Promise<unknown> {
  const client = createClient({
    socket: { port, host: '127.0.0.1', reconnectStrategy: false, connectTimeout: 1000 },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.sendCommand(command);
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Polls `check` every 50 ms until it is true; throws `what` after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** `SENTINEL MASTER <name>`'s flat field list as an object. */
function fields(reply: unknown): Record<string, string> {
  const list = reply as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

async function startSentinel(
  dir: string,
  masterPort: number,
  failoverTimeoutMs: number,
): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const conf = path.join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER_NAME} ${failoverTimeoutMs}`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      '',
    ].join('\n'),
  );
  const logFile = path.join(dir, `sentinel-${port}.log`);
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', log, log] });
  closeSync(log);
  try {
    await until(async () => (await ask(port, ['PING'])) === 'PONG', 10_000, `sentinel on ${port}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${readFileSync(logFile, 'utf8').slice(-2000)}`, {
      cause: error,
    });
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Starts the group and waits until it can fail over: the replica in sync, every sentinel
 * knowing the replica and the two other sentinels (a failover needs a majority to elect a leader).
 */
export async function startSentinelGroup(
  options: { holdableReplication?: boolean } = {},
): Promise<SentinelGroup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fkapi-chaos-sentinel-'));
  const master = await startOwnRedis();
  const link = options.holdableReplication ? await startReplicationLink(master.port) : null;
  const failoverTimeoutMs = link ? HOLDABLE_FAILOVER_TIMEOUT_MS : FAILOVER_TIMEOUT_MS;
  const replica = await startOwnRedis({
    args: ['--replicaof', '127.0.0.1', String(link?.port ?? master.port)],
  });
  const sentinels: Array<{ port: number; stop(): Promise<void> }> = [];
  const stop = async (): Promise<void> => {
    link?.close();
    for (const sentinel of sentinels) await sentinel.stop();
    await replica.stop();
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(
      async () => String(await ask(replica.port, ['INFO', 'replication'])).includes('master_link_status:up'),
      20_000,
      'the replica to sync',
    );
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(dir, master.port, failoverTimeoutMs));
    for (const sentinel of sentinels)
      await until(
        async () => {
          const info = fields(await ask(sentinel.port, ['SENTINEL', 'MASTER', MASTER_NAME]));
          return Number(info['num-slaves']) >= 1 && Number(info['num-other-sentinels']) >= 2;
        },
        30_000,
        `sentinel ${sentinel.port} to see the replica and the other sentinels`,
      );
  } catch (error) {
    await stop();
    throw error;
  }
  const masterPort = async (): Promise<number | null> => {
    for (const sentinel of sentinels) {
      const reply = await ask(sentinel.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME]).catch(
        () => null,
      );
      if (Array.isArray(reply)) return Number(reply[1]);
    }
    return null;
  };
  return {
    master,
    replica,
    sentinelPorts: sentinels.map((s) => s.port),
    link,
    env: {
      REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      REDIS_SENTINEL_MASTER: MASTER_NAME,
    },
    masterPort,
    forceFailover: async () => {
      const reply = await ask(sentinels[0].port, ['SENTINEL', 'FAILOVER', MASTER_NAME]);
      if (reply !== 'OK') throw new Error(`SENTINEL FAILOVER: ${String(reply)}`);
    },
    restartOldMaster: async (timeoutMs) => {
      await master.start();
      await until(
        async () => String(await ask(master.port, ['INFO', 'replication'])).includes('master_link_status:up'),
        timeoutMs,
        'the old master to replicate the new one',
      );
    },
    waitForMaster: async (port, timeoutMs) => {
      const started = Date.now();
      await until(
        async () => (await masterPort()) === port,
        timeoutMs,
        `the sentinels to name ${port} master`,
      );
      return Date.now() - started;
    },
    stop,
  };
}
