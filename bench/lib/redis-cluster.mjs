// A Redis Cluster of the benchmark's own: masters with their replicas, redis-server processes on
// free loopback ports, without persistence, in temporary directories. Plain JS for the benches;
// the tests' own cluster is test/chaos/harness/redis-cluster.ts. The shared Redis is never touched.
//
// The processes are SIGKILLed and their directories removed by `stop()`, on a failed start, when
// this process exits (an `exit` hook: also after `process.exit` on an error), and on SIGINT or
// SIGTERM, which then end the process unless the bench has a handler of its own for the signal.
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './children.mjs';

const require = createRequire(import.meta.url);
const { createClient } = require('redis');
const run = promisify(execFile);

/** `cluster-node-timeout`: short, so that the nodes agree on the layout quickly. */
const NODE_TIMEOUT_MS = 2000;
const START_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 30_000;

/** Every node started and not yet stopped, for the exit hook. */
const living = new Set();
const removeEveryNode = () => {
  for (const node of living) removeNow(node);
};
process.on('exit', removeEveryNode);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    removeEveryNode();
    // Listening for a signal drops Node's default (ending the process): ended here unless the
    // bench listens too and ends it itself.
    if (process.listenerCount(signal) === 1) process.exit(130);
  });

function removeNow(node) {
  living.delete(node);
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  rmSync(node.dir, { recursive: true, force: true });
}

async function stopNode(node) {
  if (!living.has(node)) return;
  const exited = node.child.exitCode !== null || node.child.signalCode !== null;
  const gone = exited ? Promise.resolve() : new Promise((resolve) => node.child.once('exit', resolve));
  removeNow(node);
  await gone;
}

/** A command on one node over a connection of its own (no reconnection: a failure is an answer). */
export async function onNode(port, command) {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await command(client);
  } finally {
    client.destroy();
  }
}

/** `count` distinct loopback ports nobody listens on now. */
async function distinctFreePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * One cluster-enabled redis-server. The bus port is chosen too (`--cluster-port`): by default it is
 * the port + 10000, which a free port above 55535 cannot have.
 */
async function startNode(port, busPort, started) {
  const dir = mkdtempSync(join(tmpdir(), 'fkapi-bench-cluster-'));
  const logFile = join(dir, 'redis.log');
  const log = openSync(logFile, 'a');
  const child = spawn(
    'redis-server',
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      ...['--cluster-node-timeout', String(NODE_TIMEOUT_MS), '--cluster-port', String(busPort)],
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log); // the child has its own descriptor
  const node = { port, busPort, dir, child };
  living.add(node);
  started.push(node);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline)
      throw new Error(
        `redis-server on port ${port} did not start:\n${readFileSync(logFile, 'utf8').slice(-1500)}`,
      );
    try {
      await onNode(port, (client) => client.ping());
      return node;
    } catch {
      await sleep(50);
    }
  }
}

/**
 * Starts `masters` masters with `replicas` replicas each and waits until every node reports
 * `cluster_state:ok`. Returns the nodes' addresses, `REDIS_CLUSTER_NODES`, the masters with
 * their slots, a per-master key count and `stop()`.
 */
export async function startRedisCluster({ masters = 3, replicas = 1 } = {}) {
  const count = masters * (1 + replicas);
  const started = [];
  try {
    const ports = await distinctFreePorts(count * 2);
    await Promise.all(
      Array.from({ length: count }, (_, i) => startNode(ports[2 * i], ports[2 * i + 1], started)),
    );
    // `redis-cli --cluster create` makes the first `masters` addresses the masters.
    await run(
      'redis-cli',
      [
        ...['--cluster', 'create', ...started.map((node) => `127.0.0.1:${node.port}`)],
        ...['--cluster-replicas', String(replicas), '--cluster-yes'],
      ],
      { timeout: 60_000 },
    );
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(
        started.map((node) => onNode(node.port, (client) => client.sendCommand(['CLUSTER', 'INFO']))),
      );
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`the cluster did not become ready:\n${states[0]}`);
      await sleep(50);
    }
  } catch (error) {
    await Promise.all(started.map(stopNode));
    throw error;
  }

  const addresses = started.map((node) => ({ host: '127.0.0.1', port: node.port }));
  /** The masters now (`CLUSTER SLOTS`), by port, with the number of slots each serves. */
  const currentMasters = async () => {
    const reply = await onNode(started[0].port, (client) => client.sendCommand(['CLUSTER', 'SLOTS']));
    const slots = new Map();
    for (const [from, to, [, port]] of reply)
      slots.set(Number(port), (slots.get(Number(port)) ?? 0) + Number(to) - Number(from) + 1);
    return [...slots].map(([port, slotCount]) => ({ port, slotCount })).sort((a, b) => a.port - b.port);
  };
  return {
    addresses,
    nodesEnv: addresses.map(({ host, port }) => `${host}:${port}`).join(','),
    masters: currentMasters,
    /** Per master: the keys SCAN finds for `match` that `accept` keeps, and every key (DBSIZE). */
    async countPerMaster(match, accept = () => true) {
      const out = [];
      for (const master of await currentMasters()) {
        const counts = await onNode(master.port, async (client) => {
          let kept = 0;
          for await (const batch of client.scanIterator({ MATCH: match, COUNT: 1000 }))
            kept += batch.filter(accept).length;
          return { count: kept, keys: await client.dbSize() };
        });
        out.push({ ...master, ...counts });
      }
      return out;
    },
    stop: () => Promise.all(started.map(stopNode)).then(() => undefined),
  };
}
