// The rate limiter's shared counts in Redis under a flood of distinct addresses: a bounded number
// of keys and fields whatever the number of clients, and the limit still applied past the bound.
import {
  DEFAULT_SHARED_THROTTLER_OPTIONS,
  SharedThrottlerStorage,
} from '../../src/common/http/shared-throttler-storage';
import { SHARD_GROUPS } from '../../src/cache/shard-groups';
import { RedisConnection } from '../../src/redis/redis-connection';
import { redisConnection } from '../utils/redis-connection';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';

const HOUR = 3_600_000;
const LIMIT = 3;
/** A small bound, so that the flood is ten times over it. */
const SHARED_CLIENTS = 800;
const FLOOD = 10 * SHARED_CLIENTS;

describe('rate-limit counts in Redis under a flood of distinct clients', () => {
  let redis: TestRedisDb;
  let connection: RedisConnection;

  beforeAll(async () => {
    redis = await leaseRedisDb();
    connection = redisConnection(redis.url, 1000, redis.index);
    await connection.open(5000);
    // Nothing uses this connection but the limiter, so `open` has nobody to wait for.
    for (let waited = 0; !connection.ready && waited < 5000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(connection.ready).toBe(true);
  });
  afterAll(async () => {
    await connection?.close();
    await redis?.release();
  });

  /** The limiter's keys in Redis, with their field counts and expiries. */
  const limiterKeys = async (): Promise<{ key: string; fields: number; ttlMs: number }[]> => {
    const found: { key: string; fields: number; ttlMs: number }[] = [];
    for await (const keys of redis.client.scanIterator({ MATCH: 'fkapi:ratelimit:*', COUNT: 1000 }))
      for (const key of keys)
        found.push({ key, fields: await redis.client.hLen(key), ttlMs: await redis.client.pTTL(key) });
    return found;
  };

  it('keeps one hash per shard group and window, within maxSharedClients fields, and still limits', async () => {
    let now = Date.parse('2030-01-01T10:15:00Z');
    const options = {
      ...DEFAULT_SHARED_THROTTLER_OPTIONS,
      maxSharedClients: SHARED_CLIENTS,
      now: () => now,
    };
    const a = new SharedThrottlerStorage(connection, options);
    const b = new SharedThrottlerStorage(connection, options);

    // A client known before the flood: its count is shared by the two instances.
    for (let i = 0; i < LIMIT; i++) expect(a.take('early', HOUR, LIMIT, 'default').isBlocked).toBe(false);
    await a.flush();
    expect(b.take('early', HOUR, LIMIT, 'default').isBlocked).toBe(false); // b learns at its flush
    await b.flush();
    expect(b.take('early', HOUR, LIMIT, 'default').isBlocked).toBe(true);

    for (let i = 0; i < FLOOD; i++) a.take(`flood-${i}`, HOUR, LIMIT, 'default');
    await a.flush();
    const keys = await limiterKeys();
    const fields = keys.reduce((sum, { fields }) => sum + fields, 0);
    process.stdout.write(
      `rate limit: ${FLOOD + 1} clients, bound ${SHARED_CLIENTS}: ${keys.length} keys, ${fields} fields in Redis\n`,
    );
    expect(keys.length).toBeLessThanOrEqual(SHARD_GROUPS);
    for (const key of keys) {
      expect(key.key).toMatch(/^fkapi:ratelimit:\{\d+\}:3600000:\d+$/);
      expect(key.fields).toBeLessThanOrEqual(Math.ceil(SHARED_CLIENTS / SHARD_GROUPS));
      // The window ends in 45 minutes; the hash goes a minute after it.
      expect(key.ttlMs).toBeGreaterThan(45 * 60_000);
      expect(key.ttlMs).toBeLessThanOrEqual(46 * 60_000);
    }
    // The bound was reached (the flood is ten times over it), not merely approached.
    expect(fields).toBeGreaterThan(SHARED_CLIENTS - SHARD_GROUPS);

    // A client the full hashes no longer take is still limited by each instance on its own.
    const late = `late-${FLOOD}`;
    for (let i = 0; i < LIMIT; i++) expect(a.take(late, HOUR, LIMIT, 'default').isBlocked).toBe(false);
    await a.flush();
    expect(a.take(late, HOUR, LIMIT, 'default').isBlocked).toBe(true);
    // The shared count of a client known before the flood goes on (its field is kept).
    expect(a.take('early', HOUR, LIMIT, 'default').isBlocked).toBe(true);
    expect((await limiterKeys()).reduce((sum, { fields }) => sum + fields, 0)).toBe(fields);

    // The next window starts new hashes; the last window's expire on their own.
    now += HOUR;
    expect(a.take('early', HOUR, LIMIT, 'default').isBlocked).toBe(false);
    await a.flush();
    expect((await limiterKeys()).length).toBeLessThanOrEqual(2 * SHARD_GROUPS);
  });
});
