import { createClient } from 'redis';
import { etagOf } from '../../src/cache/http/http-caching';
import { L1Cache } from '../../src/cache/l1-cache';
import { invalidationChannel } from '../../src/cache/tag-index-rules';
import { createRedisClient, RedisClient } from '../../src/redis/redis-client';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';

const NS = 'fkapi:';

describe('L1Cache (in-process cache kept coherent by Redis pub/sub)', () => {
  let redis: TestRedisDb;
  let client: RedisClient;
  let publisher: ReturnType<typeof createClient>;
  let channel: string;
  const caches: L1Cache[] = [];

  beforeAll(async () => {
    redis = await leaseRedisDb();
    client = createRedisClient(redis.url, 250);
    await client.connect();
    publisher = createClient({ url: redis.url });
    await publisher.connect();
    channel = invalidationChannel(NS, redis.index);
  });
  afterAll(async () => {
    for (const cache of caches) cache.close();
    await client.close();
    await publisher.close();
    await redis.release();
  });

  async function started(options: { ttlMs?: number; barrierTimeoutMs?: number } = {}): Promise<L1Cache> {
    const cache = new L1Cache(client, NS, {
      channel,
      maxEntries: 100,
      ttlMs: options.ttlMs ?? 60_000,
      barrierTimeoutMs: options.barrierTimeoutMs ?? 1000,
    });
    caches.push(cache);
    await cache.start();
    return cache;
  }

  /** Publishes like the invalidation scripts do and waits until the cache has applied it. */
  async function publish(cache: L1Cache, message: string): Promise<void> {
    await publisher.publish(channel, message);
    const sequence = Number(message.split('\n')[0].replace('+', ''));
    if (!message.split('\n')[0].endsWith('+')) await cache.seen(sequence);
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }

  it('keeps a value with its ETag and serves it', async () => {
    const cache = await started();
    const entry = cache.fill('kit_1', '{"id":1}', 0, cache.ticket(), 60_000);
    expect(entry).toEqual({ body: Buffer.from('{"id":1}'), etag: etagOf('{"id":1}'), contentLength: '8' });
    expect(cache.get('kit_1')).toEqual(entry);
  });

  it('drops exactly the keys a message names, and everything for *', async () => {
    const cache = await started();
    cache.fill('kit_2', '{"id":2}', 0, cache.ticket(), 60_000);
    cache.fill('kit_3', '{"id":3}', 0, cache.ticket(), 60_000);
    await publish(cache, `101\n${NS}kit_2`);
    expect(cache.get('kit_2')).toBeUndefined();
    expect(cache.get('kit_3')).toBeDefined();
    await publish(cache, '102\n*');
    expect(cache.get('kit_3')).toBeUndefined();
  });

  it('refuses to keep a value read before an invalidation it has already seen', async () => {
    const cache = await started();
    await publish(cache, `200\n${NS}kit_9`);
    cache.fill('kit_4', '{"stale":true}', 199, cache.ticket(), 60_000);
    expect(cache.get('kit_4')).toBeUndefined();
    cache.fill('kit_4', '{"fresh":true}', 200, cache.ticket(), 60_000);
    expect(cache.get('kit_4')?.body.toString()).toBe('{"fresh":true}');
  });

  it('waits in seen() for the last message of an invalidation, not a partial one', async () => {
    const cache = await started();
    let resolved = false;
    const waiting = cache.seen(300).then(() => (resolved = true));
    await publish(cache, `300+\n${NS}kit_5`);
    expect(resolved).toBe(false);
    await publish(cache, `301\n${NS}kit_6`);
    expect(resolved).toBe(false);
    await publisher.publish(channel, `300\n${NS}kit_7`);
    await waiting;
    expect(resolved).toBe(true);
  });

  it('drops everything when its own message does not come back in time', async () => {
    const cache = await started({ barrierTimeoutMs: 50 });
    cache.fill('kit_8', '{"id":8}', 1000, cache.ticket(), 60_000);
    await cache.seen(999_999);
    expect(cache.get('kit_8')).toBeUndefined();
  });

  it('never keeps an entry longer than its Redis TTL or its own', async () => {
    const cache = await started({ ttlMs: 60_000 });
    cache.fill('kit_10', '{"id":10}', 1000, cache.ticket(), 30);
    cache.fill('kit_11', '{"id":11}', 1000, cache.ticket(), 0);
    expect(cache.get('kit_11')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(cache.get('kit_10')).toBeUndefined();
  });

  it('serves nothing and forgets everything while unsubscribed, and refuses fills of reads begun before', async () => {
    const cache = await started();
    cache.fill('kit_12', '{"id":12}', 1000, cache.ticket(), 60_000);
    const ticketBefore = cache.ticket();
    const clients = await publisher.sendCommand<string>(['CLIENT', 'LIST', 'TYPE', 'pubsub']);
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(` db=${redis.index} `))
      .map((line) => /id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) await publisher.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    // Lost: nothing from memory until the subscription is back. The loss is noticed when the
    // ticket changes (-1 while unsubscribed, a new epoch once resubscribed).
    for (let i = 0; i < 250 && cache.ticket() === ticketBefore; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(cache.ticket()).not.toBe(ticketBefore);
    expect(cache.get('kit_12')).toBeUndefined();
    for (let i = 0; i < 100 && cache.ticket() === -1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(cache.ticket()).not.toBe(-1);
    expect(cache.ticket()).not.toBe(ticketBefore);
    cache.fill('kit_13', '{"old":true}', 1000, ticketBefore, 60_000);
    expect(cache.get('kit_13')).toBeUndefined();
    cache.fill('kit_13', '{"new":true}', 1000, cache.ticket(), 60_000);
    expect(cache.get('kit_13')?.body.toString()).toBe('{"new":true}');
  });
});
