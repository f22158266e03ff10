// Redis under Sentinel, on engines the test starts itself (test/chaos/harness/redis-sentinel.ts):
// the relay follows a failover, and an invalidation no replica acknowledged fails (so its outbox
// row stays) instead of being lost with a master that dies before replicating it.
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createClient } from 'redis';
import { RedisCacheStore } from '../../src/cache/redis-cache.store';
import { UnreplicatedInvalidationError } from '../../src/cache/redis-tag-index';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { createRedisClient } from '../../src/redis/redis-client';
import { RedisConnection } from '../../src/redis/redis-connection';
import { SentinelRelay } from '../../src/redis/sentinel-relay';
import { freePort } from '../chaos/harness/ports';
import {
  ask,
  MASTER_NAME,
  OLD_MASTER_RETURN_MS,
  SentinelGroup,
  startSentinelGroup,
  until,
} from '../chaos/harness/redis-sentinel';

const COMMAND_TIMEOUT_MS = 250;
/** A forced failover (no detection, no election): a promotion and the sentinels telling each other. */
const FAILOVER_BOUND_MS = 15_000;
const MARKER = 'fkapi:inv:tag:club:7';
const SEQUENCE = 'fkapi:inv:seq';
/** The invalidation channel of database 0 (`invalidationChannel` in src/cache/tag-index-rules.ts). */
const CHANNEL = 'fkapi:inv:events:0';

jest.setTimeout(120_000);

describe('Redis under Sentinel', () => {
  let group: SentinelGroup;
  let store: RedisCacheStore;
  let relay: SentinelRelay;

  beforeAll(async () => {
    group = await startSentinelGroup({ holdableReplication: true });
    relay = new SentinelRelay(
      {
        sentinels: group.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
        masterName: MASTER_NAME,
      },
      { timeoutMs: 1000, pollMs: 500 },
    );
    await relay.listen();
    const connection = new RedisConnection(createRedisClient(relay.url, COMMAND_TIMEOUT_MS), {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      sentinel: relay,
    });
    store = new RedisCacheStore(connection, new CacheMetrics(new Registry()), {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      cooldownMs: 200,
    });
    await connection.open(5000);
  });

  afterAll(async () => {
    await store?.connection.close();
    await group?.stop();
  });

  it('invalidates through the relay once a replica acknowledged (WAIT 1)', async () => {
    expect(relay.master?.port).toBe(group.master.port);
    await until(() => store.serving, 5000, 'the store to serve');
    // The WAIT bound here is 125 ms (half the command timeout): on a loaded machine a replica can
    // miss it, and the invalidation is refused, as designed (its outbox row would stay). Only that
    // refusal is retried; anything else fails the test.
    const result = await acknowledgedInvalidation(store, 'club:7');
    expect(result).toEqual(expect.objectContaining({ sequence: expect.any(Number) }));
    // The marker is on the replica already: WAIT returned only once it acknowledged.
    expect(await ask(group.replica.port, ['EXISTS', MARKER])).toBe(1);

    // What the WAIT costs: the same invalidations through the relay with WAIT, and straight to
    // the master without (a single Redis's path). Printed, not asserted (a shared machine).
    const direct = new RedisCacheStore(
      new RedisConnection(createRedisClient(group.master.url, COMMAND_TIMEOUT_MS), {
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
      }),
      new CacheMetrics(new Registry()),
      { commandTimeoutMs: COMMAND_TIMEOUT_MS },
    );
    await direct.connection.open(5000);
    /**
     * Median and p99 of `count` runs of `work`, and how many were refused for want of a replica's
     * acknowledgement within the bound (the designed answer under load, so counted, not thrown).
     */
    const timed = async (count: number, work: (i: number) => Promise<unknown>): Promise<string> => {
      const times: number[] = [];
      let unacknowledged = 0;
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        try {
          await work(i);
        } catch (error) {
          if (!(error instanceof UnreplicatedInvalidationError)) throw error;
          unacknowledged++;
        }
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number): string => times[Math.floor(q * (count - 1))].toFixed(3);
      const refused = unacknowledged > 0 ? `, ${unacknowledged} unacknowledged within the bound` : '';
      return `median ${at(0.5)} ms, p99 ${at(0.99)} ms${refused}`;
    };
    const invalidations = (target: RedisCacheStore) =>
      timed(200, (i) => target.invalidateTags([`club:${i}`]));
    // The relay's hop alone: a GET.
    const reads = (target: RedisCacheStore) => timed(1000, () => target.connection.client.get(MARKER));
    try {
      console.log(
        `200 invalidations: under Sentinel (relay + WAIT 1) ${await invalidations(store)}; ` +
          `single Redis ${await invalidations(direct)}\n` +
          `1000 GETs: through the relay ${await reads(store)}; straight to the master ${await reads(direct)}`,
      );
    } finally {
      await direct.connection.close();
    }
  });

  it('fails an invalidation the master applied but no replica acknowledged, and follows the failover', async () => {
    await ask(group.master.port, ['DEL', MARKER]);
    await until(
      async () => (await ask(group.replica.port, ['EXISTS', MARKER])) === 0,
      5000,
      'the DEL to replicate',
    );
    // A duplicate of the client, subscribed as the L1 subscribes (src/cache/l1-cache.ts): it
    // goes through the relay as well, and must follow the failover.
    const subscriber = store.connection.client.duplicate();
    subscriber.on('error', () => undefined);
    const messages: string[] = [];
    await subscriber.connect();
    await subscriber.subscribe(CHANNEL, (message) => messages.push(message));

    // The replication stream held: the master has the write, no replica does.
    group.link!.hold();
    const failed = await store.invalidateTags(['club:7']).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(UnreplicatedInvalidationError);
    expect(await ask(group.master.port, ['EXISTS', MARKER])).toBe(1);
    // A reader may have got this sequence from the master, which the replica never will.
    const handedOut = Number(await ask(group.master.port, ['GET', SEQUENCE]));
    expect(Number(await ask(group.replica.port, ['GET', SEQUENCE]))).toBeLessThan(handedOut);

    // The master dies before it could replicate the invalidation; the replica is promoted.
    await group.master.kill();
    await group.forceFailover();
    const failoverMs = await group.waitForMaster(group.replica.port, FAILOVER_BOUND_MS);
    // Without the failed status (the outbox row kept), this invalidation would be lost here.
    expect(await ask(group.replica.port, ['EXISTS', MARKER])).toBe(0);
    await until(() => relay.master?.port === group.replica.port, 5000, 'the relay to follow');
    expect(relay.switches).toBe(1);

    // The new master has no replica until the old one returns: invalidations keep failing
    // (the outbox keeps them) rather than counting on a copy that a second failover would lose.
    await until(() => store.connection.client.isReady, 5000, 'the client to reconnect');
    // The recovery raised the new master's sequence above anything the dead master handed out:
    // later markers exceed it, so a reader holding such a sequence cannot store over them.
    await until(() => store.serving, 5000, 'the recovery on the new master');
    expect(Number(await ask(group.replica.port, ['GET', SEQUENCE]))).toBeGreaterThan(handedOut);
    await expect(store.invalidateTags(['club:7'])).rejects.toBeInstanceOf(UnreplicatedInvalidationError);
    // That invalidation ran on the new master all the same, and published: the duplicated
    // subscriber hears the new master (retried until it has resubscribed there).
    const heard = messages.length;
    await until(
      async () => {
        await store.invalidateTags(['club:7']).catch(() => undefined);
        return messages.length > heard;
      },
      5000,
      'the duplicated subscriber to hear the new master',
    );

    // The old master returns empty; the sentinels make it a replica of the new master.
    await group.restartOldMaster(OLD_MASTER_RETURN_MS);
    // The retry (the outbox drain, here by hand) now lands on both servers, once the returned
    // replica acknowledges (its first ACK may follow the sync by a moment).
    await until(
      async () => {
        await store.invalidateTags(['club:7']);
        return true;
      },
      10_000,
      'an invalidation acknowledged by the returned replica',
    );
    expect(await ask(group.replica.port, ['EXISTS', MARKER])).toBe(1);
    expect(await ask(group.master.port, ['EXISTS', MARKER])).toBe(1);
    subscriber.destroy();
    console.log(`forced sentinel failover: ${failoverMs} ms until the sentinels named the replica`);
  });
});

/**
 * Invalidates `tag` until a replica acknowledges it within the WAIT bound (5 s at most); rethrows
 * any error other than that refusal.
 */
async function acknowledgedInvalidation(store: RedisCacheStore, tag: string): Promise<unknown> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await store.invalidateTags([tag]);
    } catch (error) {
      if (!(error instanceof UnreplicatedInvalidationError) || Date.now() > deadline) throw error;
    }
  }
}

describe('the Sentinel relay without any sentinel', () => {
  it('starts within its bound (one timeout per sentinel) and closes the connections it cannot forward', async () => {
    const ports = [await freePort(), await freePort()];
    const relay = new SentinelRelay(
      { sentinels: ports.map((port) => ({ host: '127.0.0.1', port })), masterName: MASTER_NAME },
      { timeoutMs: 500, pollMs: 200 },
    );
    await relay.listen();
    const started = performance.now();
    await relay.start();
    try {
      // Refused at once here; a silent sentinel would cost at most the timeout each.
      expect(performance.now() - started).toBeLessThan(ports.length * 500 + 500);
      expect(relay.master).toBeNull();
      const client = createClient({ url: relay.url, socket: { reconnectStrategy: false } });
      client.on('error', () => undefined);
      await expect(client.connect().then(() => client.ping())).rejects.toThrow();
      if (client.isOpen) client.destroy();
    } finally {
      await relay.stop();
    }
  });
});
