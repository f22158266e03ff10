import { Registry } from 'prom-client';
import { RedisCacheStore } from '../../src/cache/redis-cache.store';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { OwnRedis, startOwnRedis } from '../chaos/harness/redis-server';
import { redisConnection } from '../utils/redis-connection';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Redis without persistence restarted between a reader's lookup and its store: the sequence
 * the reader took must still be older than any invalidation made after the restart, or its
 * (stale) store passes the marker check and stays for the whole TTL.
 */
describe('RedisCacheStore after Redis lost its data', () => {
  let own: OwnRedis;
  const stores: RedisCacheStore[] = [];

  const openStore = async (): Promise<RedisCacheStore> => {
    const store = new RedisCacheStore(redisConnection(own.url, 250), new CacheMetrics(new Registry()), {
      commandTimeoutMs: 250,
      cooldownMs: 100,
    });
    stores.push(store);
    await store.connection.open(2000);
    return store;
  };
  const serving = async (store: RedisCacheStore): Promise<void> => {
    for (let attempt = 0; attempt < 200 && !store.serving; attempt++) await sleep(25);
    expect(store.serving).toBe(true);
  };

  beforeAll(async () => {
    own = await startOwnRedis();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.connection.close()));
    await own.stop();
  });

  it("refuses a store whose lookup came before the loss once the key's tag is invalidated after it", async () => {
    const [reader, writer] = [await openStore(), await openStore()];
    for (let i = 0; i < 5; i++) await writer.invalidateTags([`kit:${i}`]);
    const { sequence } = await reader.lookup('kit_60'); // the slow read begins…
    expect(sequence).not.toBeNull();

    await own.kill(); // …Redis restarts empty…
    await own.start();
    await serving(reader);
    await serving(writer);
    await writer.invalidateTags(['kit:60']); // …another instance renames the kit…

    const stale = {
      key: 'kit_60',
      value: '{"name":"old"}',
      ttlSeconds: 3600,
      cacheType: 'kit',
      tags: ['kit:60'],
    };
    expect(await reader.setWithTags(stale, sequence!)).toBe(false); // …and the slow read ends.
    expect(await reader.get('kit_60')).toBeNull();
  });

  it('keeps sequences exact past 2^50 (markers, events and replies agree)', async () => {
    const store = await openStore();
    const { sequence } = await store.invalidateTags(['club:1']);
    expect(sequence).toBeGreaterThan(2 ** 50);
    expect(Number.isSafeInteger(sequence)).toBe(true);
    const { sequence: next } = await store.invalidateTags(['club:1']);
    expect(next).toBe(sequence + 1);
    const entry = { key: 'club_1', value: '"x"', ttlSeconds: 60, cacheType: 'club', tags: ['club:1'] };
    expect(await store.setWithTags(entry, next - 1)).toBe(false);
    expect(await store.setWithTags(entry, next)).toBe(true);
  });
});
