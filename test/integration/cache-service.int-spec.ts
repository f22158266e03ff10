import { Registry } from 'prom-client';
import { CacheService } from '../../src/cache/cache.service';
import { RedisCacheStore } from '../../src/cache/redis-cache.store';
import { AppConfig } from '../../src/config/app-config';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { redisConnection } from '../utils/redis-connection';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';

describe('CacheService over Redis', () => {
  let redis: TestRedisDb;
  let store: RedisCacheStore;
  let metrics: CacheMetrics;
  let cache: CacheService;

  beforeAll(async () => {
    redis = await leaseRedisDb();
    metrics = new CacheMetrics(new Registry());
    store = new RedisCacheStore(redisConnection(redis.url, 250), metrics, { commandTimeoutMs: 250 });
    await store.connection.open(2000);
    cache = new CacheService(store, metrics, { cacheTtlSeconds: 3600 } as AppConfig);
  });
  afterAll(async () => {
    await store.connection.close();
    await redis.release();
  });

  const counter = async (name: 'hits' | 'misses', cacheType: string) =>
    (await metrics[name].get()).values.find((v) => v.labels.cache_type === cacheType)?.value ?? 0;

  it('computes once for 50 concurrent misses on one key and gives every caller the result', async () => {
    let computations = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        cache.read({ key: 'kit_1000', cacheType: 'kit', tags: () => ['kit:1000'] }, async () => {
          computations += 1;
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { id: 1000 };
        }),
      ),
    );
    expect(computations).toBe(1);
    expect(results.every((r) => r.id === 1000)).toBe(true);
    expect(await redis.client.get('fkapi:kit_1000')).toBe('{"id":1000}');
  });

  it('with Redis unreachable, gives concurrent misses of one key two computations, the second begun after all of them asked', async () => {
    // Nothing listens on port 1: no invalidation sequence can be read.
    const unreachable = new RedisCacheStore(redisConnection('redis://127.0.0.1:1', 250), metrics, {
      commandTimeoutMs: 250,
    });
    await unreachable.connection.open(100);
    try {
      const offline = new CacheService(unreachable, metrics, { cacheTtlSeconds: 3600 } as AppConfig);
      const spec = { key: 'kit_1001', cacheType: 'kit', tags: () => ['kit:1001'] };
      const computationsStarted: number[] = [];
      const compute = async () => {
        computationsStarted.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { computation: computationsStarted.length };
      };
      const first = offline.read(spec, compute);
      await new Promise((resolve) => setTimeout(resolve, 5)); // the first computation is under way
      const asked: number[] = [];
      const others = Array.from({ length: 49 }, () => {
        asked.push(performance.now());
        return offline.read(spec, compute);
      });
      expect((await first).computation).toBe(1);
      const results = await Promise.all(others);
      expect(computationsStarted).toHaveLength(2);
      expect(results.every((r) => r.computation === 2)).toBe(true);
      expect(computationsStarted[1]).toBeGreaterThanOrEqual(Math.max(...asked));
    } finally {
      await unreachable.connection.close();
    }
  });

  it('does not hand a read that began after an invalidation the result of a computation that began before it', async () => {
    let release!: () => void;
    const slowQuery = new Promise<void>((resolve) => (release = resolve));
    const spec = { key: 'club_2000', cacheType: 'club', tags: () => ['club:2000'] };
    // A computation reads the database, then takes its time.
    const early = cache.read(spec, async () => {
      await slowQuery;
      return { name: 'before the write' };
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A write is committed and invalidated (through any instance: the sequence moves on).
    await store.invalidateTags(['club:2000']);
    let ranAgain = false;
    const late = cache.read(spec, () => {
      ranAgain = true;
      return Promise.resolve({ name: 'after the write' });
    });
    expect((await late).name).toBe('after the write');
    expect(ranAgain).toBe(true);
    release();
    expect((await early).name).toBe('before the write');
    // The early result was read before the invalidation: refused, not stored.
    expect(await redis.client.get('fkapi:club_2000')).toBe('{"name":"after the write"}');
  });

  it('answers a hit from the stored JSON without computing, and counts hits and misses by cache_type', async () => {
    const spec = { key: 'brand_3', cacheType: 'brand', tags: () => ['brand:3'] };
    const [hits, misses] = [await counter('hits', 'brand'), await counter('misses', 'brand')];
    await cache.read(spec, () => Promise.resolve({ id: 3, name: 'adidas' }));
    const compute = jest.fn(() => Promise.resolve({ id: 3, name: 'changed' }));
    expect(await cache.read(spec, compute)).toEqual({ id: 3, name: 'adidas' });
    expect(compute).not.toHaveBeenCalled();
    expect(await counter('hits', 'brand')).toBe(hits + 1);
    expect(await counter('misses', 'brand')).toBe(misses + 1);
    expect(await cache.readJson(spec, compute)).toBe('{"id":3,"name":"adidas"}');
  });

  it('stores with the given TTL', async () => {
    await cache.read({ key: 'season_9', cacheType: 'season', ttlSeconds: 60, tags: () => [] }, () =>
      Promise.resolve([]),
    );
    expect(await redis.client.pTTL('fkapi:season_9')).toBeGreaterThan(59_000);
  });

  it('does not cache an error: every waiting caller gets it, and the next call computes again', async () => {
    const spec = { key: 'club_404', cacheType: 'club', tags: () => ['club:404'] };
    let calls = 0;
    const failing = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('Club with ID 404 not found');
    };
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => cache.read(spec, failing)));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    expect(await redis.client.exists('fkapi:club_404')).toBe(0);
    expect(await cache.read(spec, () => Promise.resolve({ id: 404 }))).toEqual({ id: 404 });
  });

  it('returns a result whose tags function fails, without storing it', async () => {
    const value = await cache.read(
      {
        key: 'kit_bad_tags',
        cacheType: 'kit',
        tags: () => {
          throw new Error('bug in tags');
        },
      },
      () => Promise.resolve({ ok: true }),
    );
    expect(value).toEqual({ ok: true });
    expect(await redis.client.exists('fkapi:kit_bad_tags')).toBe(0);
  });

  it('stores nothing for a computation that returned undefined', async () => {
    expect(
      await cache.read({ key: 'kit_void', cacheType: 'kit', tags: () => [] }, () =>
        Promise.resolve(undefined),
      ),
    ).toBeUndefined();
    expect(await redis.client.exists('fkapi:kit_void')).toBe(0);
  });
});
