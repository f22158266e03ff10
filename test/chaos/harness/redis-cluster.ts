// A Redis Cluster of the test's own: three masters with one replica each, on free loopback
// ports, without persistence (`redis-server --cluster-enabled yes`, `redis-cli --cluster create`).
// The shared Redis on 6379 is never touched.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { freePort, sleep } from './ports';
import { OwnRedis, startOwnRedis } from './redis-server';

const run = promisify(execFile);

/** `cluster-node-timeout`: short, so that a test's cluster agrees on its layout quickly. */
const NODE_TIMEOUT_MS = 2000;

type NodeClient = ReturnType<typeof createClient>;
/** `CLUSTER SLOTS`: first slot, last slot, then the master's [host, port, id] (replicas after). */
type SlotsReply = [number, number, [string, number, string]][];

export interface SlotMove {
  migrate(keys: string[]): Promise<void>;
  finish(): Promise<void>;
}

export interface OwnRedisCluster {
  /** Every node, masters first (as `redis-cli --cluster create` pairs them). */
  nodes: OwnRedis[];
  /** `REDIS_CLUSTER_NODES` for an API process: every node. */
  env: { REDIS_CLUSTER_NODES: string };
  /** `host:port` of every node, for `createRedisClusterClient`. */
  addresses: { host: string; port: number }[];
  /** A command on one node (by port), over a connection of its own. */
  on<T>(port: number, command: (client: NodeClient) => Promise<T>): Promise<T>;
  /** The ports of the masters now, with the slot ranges each serves. */
  masters(): Promise<{ port: number; slots: [number, number][] }[]>;
  /** Keys on each master whose name starts with `prefix` (SCAN, for the tests' counts). */
  keysPerMaster(prefix: string): Promise<Map<number, string[]>>;
  /**
   * Moves one hash slot, with its keys, to another master, as `redis-cli --cluster reshard`
   * does (IMPORTING / MIGRATING, MIGRATE, SETSLOT NODE): clients that had the old map get MOVED
   * (or ASK while it moves).
   */
  moveSlot(slot: number, toPort: number): Promise<void>;
  /**
   * The first half of `moveSlot`: the slot is MIGRATING on its master and IMPORTING on the other;
   * `migrate` moves some of its keys (their readers get ASK), `finish` the rest and the slot.
   */
  beginSlotMove(slot: number, toPort: number): Promise<SlotMove>;
  /** The master serving a hash slot now, and its replica (the node, to pause or kill it). */
  ownerOf(slot: number): Promise<{ master: OwnRedis; replica: OwnRedis }>;
  stop(): Promise<void>;
}

export async function startOwnRedisCluster(): Promise<OwnRedisCluster> {
  const nodes: OwnRedis[] = [];
  try {
    for (let i = 0; i < 6; i++)
      nodes.push(
        await startOwnRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(NODE_TIMEOUT_MS),
            // A replica's first sync starts at once instead of after 5 s.
            '--repl-diskless-sync-delay',
            '0',
            // The bus port of its own: the default, port + 10000, does not exist above 55535.
            '--cluster-port',
            String(await freePort()),
          ],
        }),
      );
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw error;
  }

  const on = async <T>(port: number, command: (client: NodeClient) => Promise<T>): Promise<T> => {
    const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await command(client);
    } finally {
      client.destroy();
    }
  };

  const masters = async (): Promise<{ port: number; slots: [number, number][] }[]> => {
    const reply = await on(nodes[0].port, (client) => client.sendCommand<SlotsReply>(['CLUSTER', 'SLOTS']));
    const byPort = new Map<number, [number, number][]>();
    for (const [from, to, [, port]] of reply) {
      const ranges = byPort.get(Number(port)) ?? [];
      ranges.push([Number(from), Number(to)]);
      byPort.set(Number(port), ranges);
    }
    return [...byPort].map(([port, slots]) => ({ port, slots }));
  };

  // Every node must know the whole layout before a client asks one of them.
  for (let attempt = 0; ; attempt++) {
    const states = await Promise.all(
      nodes.map((node) => on(node.port, (client) => client.sendCommand<string>(['CLUSTER', 'INFO']))),
    );
    if (states.every((info) => info.includes('cluster_state:ok'))) break;
    if (attempt > 200) throw new Error(`the cluster did not become ready:\n${states[0]}`);
    await sleep(50);
  }

  // And every master must have its replica online: a WAIT counts only those.
  for (let attempt = 0; ; attempt++) {
    const infos = await Promise.all(
      (await masters()).map(({ port }) => on(port, (client) => client.info('replication'))),
    );
    if (infos.every((info) => /^slave0:.*state=online/m.test(info))) break;
    if (attempt > 400) throw new Error(`the replicas did not come online:\n${infos.join('\n')}`);
    await sleep(50);
  }

  const keysPerMaster = async (prefix: string): Promise<Map<number, string[]>> => {
    const counts = new Map<number, string[]>();
    for (const { port } of await masters()) {
      const keys = await on(port, async (client) => {
        const found: string[] = [];
        for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
          found.push(...batch);
        return found;
      });
      counts.set(port, keys);
    }
    return counts;
  };

  const beginSlotMove = async (slot: number, toPort: number): Promise<SlotMove> => {
    const owner = (await masters()).find(({ slots }) =>
      slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!owner) throw new Error(`slot ${slot} has no master`);
    if (owner.port === toPort) throw new Error(`slot ${slot} is on ${toPort} already`);
    const idOf = (port: number) => on(port, (client) => client.sendCommand<string>(['CLUSTER', 'MYID']));
    const [sourceId, targetId] = await Promise.all([idOf(owner.port), idOf(toPort)]);
    const s = String(slot);
    await on(toPort, (client) => client.sendCommand(['CLUSTER', 'SETSLOT', s, 'IMPORTING', sourceId]));
    await on(owner.port, (client) => client.sendCommand(['CLUSTER', 'SETSLOT', s, 'MIGRATING', targetId]));
    const migrate = (keys: string[]) =>
      on(owner.port, (client) =>
        client.sendCommand(['MIGRATE', '127.0.0.1', String(toPort), '', '0', '5000', 'KEYS', ...keys]),
      );
    return {
      migrate: async (keys) => {
        await migrate(keys);
      },
      finish: async () => {
        for (;;) {
          const keys = await on(owner.port, (client) =>
            client.sendCommand<string[]>(['CLUSTER', 'GETKEYSINSLOT', s, '100']),
          );
          if (keys.length === 0) break;
          await migrate(keys);
        }
        for (const port of [toPort, owner.port])
          await on(port, (client) => client.sendCommand(['CLUSTER', 'SETSLOT', s, 'NODE', targetId]));
        // The other nodes learn it through the cluster bus; wait until every node agrees.
        for (let attempt = 0; ; attempt++) {
          const agreed = await Promise.all(
            nodes.map(({ port }) =>
              on(port, async (client) => {
                const reply = await client.sendCommand<SlotsReply>(['CLUSTER', 'SLOTS']);
                return reply.some(([from, to, [, p]]) => slot >= from && slot <= to && Number(p) === toPort);
              }),
            ),
          );
          if (agreed.every(Boolean)) return;
          if (attempt > 200) throw new Error(`slot ${slot} did not move to ${toPort}`);
          await sleep(50);
        }
      },
    };
  };

  const moveSlot = async (slot: number, toPort: number): Promise<void> => {
    await (await beginSlotMove(slot, toPort)).finish();
  };

  const ownerOf = async (slot: number): Promise<{ master: OwnRedis; replica: OwnRedis }> => {
    const owner = (await masters()).find(({ slots }) =>
      slots.some(([from, to]) => slot >= from && slot <= to),
    );
    const master = nodes.find((node) => node.port === owner?.port);
    if (!master) throw new Error(`slot ${slot} has no master`);
    const info = await on(master.port, (client) => client.info('replication'));
    const replicaPort = Number(/^slave0:.*port=(\d+)/m.exec(info)?.[1]);
    const replica = nodes.find((node) => node.port === replicaPort);
    if (!replica) throw new Error(`the master on ${master.port} has no replica:\n${info}`);
    return { master, replica };
  };

  const addresses = nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
  return {
    nodes,
    addresses,
    env: { REDIS_CLUSTER_NODES: addresses.map(({ host, port }) => `${host}:${port}`).join(',') },
    on,
    masters,
    keysPerMaster,
    moveSlot,
    beginSlotMove,
    ownerOf,
    stop: async () => {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
