// The cache store on a Redis Cluster the test starts itself (test/chaos/harness/redis-cluster.ts):
// three masters with a replica each. Every script touches one slot (a cluster refuses the rest
// with CROSSSLOT), entries spread over the masters, an invalidation reaches every shard group,
// and the client follows a slot that moved.
import { Registry } from 'prom-client';
import { ENTRY_VERSION } from '../../src/cache/cache-key';
import { CacheEntry, CacheUnavailableError } from '../../src/cache/cache-store';
import { RedisCacheStore } from '../../src/cache/redis-cache.store';
import { UnreplicatedInvalidationError } from '../../src/cache/redis-tag-index';
import { SHARD_GROUPS, shardGroupNamespaces } from '../../src/cache/shard-groups';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { createRedisClusterClient } from '../../src/redis/redis-client';
import { clusterConnection } from '../../src/redis/redis-connection';
import { OwnRedisCluster, startOwnRedisCluster } from '../chaos/harness/redis-cluster';
import calculateSlot from 'cluster-key-slot';

const COMMAND_TIMEOUT_MS = 1000;

jest.setTimeout(120_000);

const entry = (key: string, tags: string[], value = `{"key":"${key}"}`): CacheEntry => ({
  key,
  value,
  ttlSeconds: 600,
  cacheType: 'kit',
  tags,
});

describe('the cache store on a Redis Cluster', () => {
  let cluster: OwnRedisCluster;
  let store: RedisCacheStore;
  let registry: Registry;

  const put = async (e: CacheEntry): Promise<boolean> =>
    store.setWithTags(e, (await store.readSequence(e.key)) ?? -1);

  beforeAll(async () => {
    cluster = await startOwnRedisCluster();
    registry = new Registry();
    const connection = clusterConnection(createRedisClusterClient(cluster.addresses, COMMAND_TIMEOUT_MS), {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
    });
    store = new RedisCacheStore(connection, new CacheMetrics(registry), {
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      cooldownMs: 200,
    });
    await connection.open(10_000);
    expect(store.serving).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await store?.connection.close();
    await cluster?.stop();
  }, 60_000);

  it('lays the groups out over the slot range: one hash tag per group, each in its own slot range', () => {
    const namespaces = shardGroupNamespaces('fkapi:');
    expect(namespaces).toHaveLength(SHARD_GROUPS);
    expect(new Set(namespaces).size).toBe(SHARD_GROUPS);
    namespaces.forEach((namespace, group) => {
      expect(namespace).toMatch(/^fkapi:\{\d+\}:$/);
      const slot = calculateSlot(`${namespace}${ENTRY_VERSION}kit_42`);
      expect(Math.floor((slot * SHARD_GROUPS) / 16384)).toBe(group);
    });
  });

  it('stores an entry under its group, keeps the seed key recognisable and reads it back', async () => {
    const key = `${ENTRY_VERSION}kit_42`;
    expect(await put(entry(key, ['kit:42', 'club:1']))).toBe(true);
    const redisKey = store.redisKeyOf(key);
    expect(redisKey).toMatch(/^fkapi:\{\d+\}:v1:kit_42$/);
    const namespace = redisKey.slice(0, -key.length);
    const found = await cluster.keysPerMaster(namespace);
    const holders = [...found].filter(([, keys]) => keys.length > 0);
    // The entry, its tag sets, its type set and registries all sit on the master of one slot.
    expect(holders).toHaveLength(1);
    expect(holders[0][1]).toEqual(
      expect.arrayContaining([
        redisKey,
        `${namespace}tag:kit:42`,
        `${namespace}tag:club:1`,
        `${namespace}type:kit`,
      ]),
    );
    expect(await store.get(key)).toBe(`{"key":"${key}"}`);
    expect((await store.lookup(key)).value).toBe(`{"key":"${key}"}`);
    expect((await store.expiresAt(key))!.getTime()).toBeGreaterThan(Date.now() + 590_000);
  });

  it('reads keys of many slots in one batch (an MGET per slot)', async () => {
    const keys = Array.from({ length: 64 }, (_, i) => `${ENTRY_VERSION}kit_batch_${i}`);
    for (const key of keys) expect(await put(entry(key, [`kit:${key}`]))).toBe(true);
    const groups = new Set(keys.map((key) => store.redisKeyOf(key).split('}')[0]));
    expect(groups.size).toBeGreaterThan(SHARD_GROUPS / 2);
    // One event-loop turn: the store batches these reads.
    const values = await Promise.all([...keys, `${ENTRY_VERSION}kit_absent`].map((key) => store.get(key)));
    expect(values).toEqual([...keys.map((key) => `{"key":"${key}"}`), null]);
  });

  it('spreads entries over every master, none holding more than half', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `${ENTRY_VERSION}kit_spread_${i}`);
    for (let i = 0; i < keys.length; i += 200)
      await Promise.all(keys.slice(i, i + 200).map((key) => put(entry(key, [`kit:${key}`, 'club:spread']))));
    const perMaster = await cluster.keysPerMaster(`fkapi:{`);
    const entries = [...perMaster.values()].map(
      (found) => found.filter((key) => /^fkapi:\{\d+\}:v1:kit_spread_/.test(key)).length,
    );
    process.stdout.write(`entries per master: ${entries.join(', ')} of ${keys.length}\n`);
    expect(entries).toHaveLength(3);
    expect(entries.reduce((a, b) => a + b, 0)).toBe(keys.length);
    for (const count of entries) expect(count / keys.length).toBeLessThanOrEqual(0.5);
    expect(Math.min(...entries)).toBeGreaterThan(0);
  });

  it('invalidates a tag in every group: every entry under it goes, and the count is exact', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `${ENTRY_VERSION}club_wide_${i}`);
    for (const key of keys) expect(await put(entry(key, ['club:77']))).toBe(true);
    const { deleted } = await store.invalidateTags(['club:77']);
    expect(deleted).toBe(keys.length);
    expect(await Promise.all(keys.map((key) => store.get(key)))).toEqual(keys.map(() => null));
  });

  it('refuses a store read before an invalidation of its tag, in whichever group the entry lands', async () => {
    // A key per group: the reader of each read its group's sequence before the write.
    const keys: string[] = [];
    for (let i = 0; keys.length < SHARD_GROUPS * 2 && i < 10_000; i++)
      keys.push(`${ENTRY_VERSION}kit_reader_${i}`);
    const readers = await Promise.all(
      keys.map(async (key) => ({ key, sequence: (await store.readSequence(key))! })),
    );
    await store.invalidateTags(['club:88']);
    const groups = new Set<string>();
    for (const { key, sequence } of readers) {
      groups.add(store.redisKeyOf(key).split('}')[0]);
      expect(await store.setWithTags(entry(key, ['club:88'], '"old"'), sequence)).toBe(false);
      expect(await store.get(key)).toBeNull();
    }
    expect(groups.size).toBeGreaterThan(SHARD_GROUPS / 2);
    // Read after the invalidation: stored.
    expect(await put(entry(keys[0], ['club:88'], '"new"'))).toBe(true);
  });

  it('deletes one key, counts entries over every group, clears the namespace', async () => {
    const key = `${ENTRY_VERSION}kit_single`;
    expect(await put(entry(key, ['kit:single']))).toBe(true);
    expect(await store.deleteKey(key)).toBe(true);
    expect(await store.get(key)).toBeNull();
    const before = (await store.countEntries()).kit;
    expect(before).toBeGreaterThanOrEqual(3000);
    const sequence = (await store.readSequence(`${ENTRY_VERSION}kit_after_clear`))!;
    expect(await store.clearNamespace()).toBe(before);
    expect((await store.countEntries()).kit ?? 0).toBe(0);
    // A computation begun before the clear may not store afterwards, in any group.
    expect(await store.setWithTags(entry(`${ENTRY_VERSION}kit_after_clear`, ['kit:x']), sequence)).toBe(
      false,
    );
    const left = await cluster.keysPerMaster('fkapi:{');
    for (const keys of left.values()) expect(keys.filter((k) => k.includes(`:${ENTRY_VERSION}`))).toEqual([]);
  });

  it('counts one invalidation once in the metrics, however many groups it ran on', async () => {
    const count = async () =>
      (await registry.getSingleMetric('fkapi_cache_invalidation_duration_seconds')!.get()).values.find(
        (v) =>
          (v as { metricName?: string }).metricName === 'fkapi_cache_invalidation_duration_seconds_count',
      )?.value ?? 0;
    const before = await count();
    await store.invalidateTags(['kit:counted']);
    expect((await count()) - before).toBe(1);
  });

  it('follows a slot that moved to another master (MOVED), reads and invalidations alike', async () => {
    const key = `${ENTRY_VERSION}kit_moving`;
    expect(await put(entry(key, ['kit:moving']))).toBe(true);
    const slot = calculateSlot(store.redisKeyOf(key));
    const masters = await cluster.masters();
    const owner = masters.find(({ slots }) => slots.some(([from, to]) => slot >= from && slot <= to))!;
    const target = masters.find(({ port }) => port !== owner.port)!;
    await cluster.moveSlot(slot, target.port);
    expect(await store.get(key)).toBe(`{"key":"${key}"}`);
    const { deleted } = await store.invalidateTags(['kit:moving']);
    expect(deleted).toBe(1);
    expect(await store.get(key)).toBeNull();
    expect(await put(entry(key, ['kit:moving'], '"back"'))).toBe(true);
    expect(await store.get(key)).toBe('"back"');
    const holders = await cluster.keysPerMaster(store.redisKeyOf(key));
    expect(holders.get(target.port)).toEqual([store.redisKeyOf(key)]);
    expect(store.serving).toBe(true);
  });

  it('reads through a slot being migrated (ASK), and an invalidation there either lands or fails for the outbox to retry', async () => {
    const key = `${ENTRY_VERSION}kit_migrating`;
    expect(await put(entry(key, ['kit:migrating']))).toBe(true);
    const redisKey = store.redisKeyOf(key);
    const slot = calculateSlot(redisKey);
    const { master } = await cluster.ownerOf(slot);
    const target = (await cluster.masters()).find(({ port }) => port !== master.port)!;
    const move = await cluster.beginSlotMove(slot, target.port);
    // Only the entry moves yet: its master answers ASK, the client asks the other master.
    await move.migrate([redisKey]);
    expect(await store.get(key)).toBe(`{"key":"${key}"}`);
    // The group's tag sets and sequence are still on the first master: a script over keys on
    // both sides is refused (TRYAGAIN), which reaches the caller as a failure, never as success.
    let landed = false;
    try {
      landed = (await store.invalidateTags(['kit:migrating'])).deleted === 1;
    } catch (error) {
      expect(error).toBeInstanceOf(CacheUnavailableError);
    }
    process.stdout.write(
      `invalidation during the migration: ${landed ? 'landed' : 'refused, retried after'}\n`,
    );
    await move.finish();
    const deadline = Date.now() + 10_000;
    while (!landed) {
      try {
        await store.invalidateTags(['kit:migrating']);
        landed = true;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    while (!store.serving && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.get(key)).toBeNull();
    expect(await cluster.on(target.port, (client) => client.exists(redisKey))).toBe(0);
  });

  it('fails an invalidation no replica acknowledged (a failover could lose it), and applies it once one does', async () => {
    const key = `${ENTRY_VERSION}kit_unreplicated`;
    expect(await put(entry(key, ['kit:unreplicated']))).toBe(true);
    const { replica } = await cluster.ownerOf(calculateSlot(store.redisKeyOf(key)));
    // Paused for less than the cluster's node timeout: no failover, only a silent replica.
    replica.pause();
    try {
      await expect(store.invalidateTags(['kit:unreplicated'])).rejects.toBeInstanceOf(
        UnreplicatedInvalidationError,
      );
    } finally {
      replica.resume();
    }
    // What the outbox does with the row it kept: the same invalidation again, acknowledged now.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await store.invalidateTags(['kit:unreplicated']);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    while (!store.serving && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.serving).toBe(true);
    expect(await store.get(key)).toBeNull();
  });
});
