import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { Registry } from 'prom-client';
import { CacheStore, CacheUnavailableError } from '../../src/cache/cache-store';
import { CacheService } from '../../src/cache/cache.service';
import { RedisCacheStore, RedisCacheStoreOptions } from '../../src/cache/redis-cache.store';
import { AppConfig } from '../../src/config/app-config';
import { CacheMetrics } from '../../src/metrics/cache-metrics';
import { startRedisProxy } from '../utils/redis-proxy';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { redisConnection } from '../utils/redis-connection';

const config = { cacheTtlSeconds: 3600 } as AppConfig;
const entry = (key: string, tags: string[], value = `"${key}"`, cacheType = 'kit', ttlSeconds = 3600) => ({
  key,
  value,
  ttlSeconds,
  cacheType,
  tags,
});
/** Stores as a reader that started now would. */
const put = async (store: CacheStore, e: ReturnType<typeof entry>) =>
  store.setWithTags(e, (await store.readSequence(e.key)) ?? -1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function errorsCounted(metrics: CacheMetrics, operation: string): Promise<number> {
  const { values } = await metrics.errors.get();
  return values.find((v) => v.labels.operation === operation)?.value ?? 0;
}

/** A TCP proxy to Redis that can hold its answers back (a Redis that hangs) without closing. */
async function startFreezableProxy(
  target: string,
): Promise<{ url: string; freeze(on: boolean): void; close(): Promise<void> }> {
  const upstreamUrl = new URL(target);
  let frozen = false;
  const release: (() => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(upstreamUrl.port || 6379), upstreamUrl.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => upstream.write(chunk));
    const held: Buffer[] = [];
    release.push(() => {
      for (const chunk of held.splice(0)) client.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (frozen) held.push(chunk);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    freeze: (on) => {
      frozen = on;
      if (!on) for (const flush of release) flush();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('RedisCacheStore', () => {
  let redis: TestRedisDb;
  const opened: RedisCacheStore[] = [];

  async function openStore(
    url = redis.url,
    options: Partial<RedisCacheStoreOptions> = {},
    metrics = new CacheMetrics(new Registry()),
    waitMs = 2000,
  ): Promise<{ store: RedisCacheStore; metrics: CacheMetrics }> {
    const store = new RedisCacheStore(redisConnection(url, options.commandTimeoutMs ?? 250), metrics, {
      commandTimeoutMs: 250,
      ...options,
    });
    opened.push(store);
    await store.connection.open(waitMs);
    return { store, metrics };
  }

  beforeAll(async () => {
    redis = await leaseRedisDb();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.connection.close()));
  });
  afterAll(async () => redis.release());

  describe('entries', () => {
    let store: CacheStore;
    beforeEach(async () => {
      ({ store } = await openStore());
      await store.clearNamespace();
    });

    it('stores the JSON string under fkapi:<key> with its TTL and reads it back in one GET', async () => {
      expect(await put(store, entry('kit_42', ['kit:42'], '{"id":42}', 'kit', 120))).toBe(true);
      expect(await store.get('kit_42')).toBe('{"id":42}');
      expect(await redis.client.get('fkapi:kit_42')).toBe('{"id":42}');
      const ttl = await redis.client.pTTL('fkapi:kit_42');
      expect(ttl).toBeGreaterThan(119_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    });

    it('answers null for a key it does not hold', async () => {
      expect(await store.get('kit_404')).toBeNull();
    });

    it('reads the keys asked in one event-loop turn with two MGETs: the first key at once, the other distinct keys together', async () => {
      for (const id of ['b1', 'b2', 'b3'])
        await put(store, entry(`kit_${id}`, [`kit:${id}`], `{"id":"${id}"}`));
      const monitor = redis.client.duplicate();
      await monitor.connect();
      const seen: string[] = [];
      await monitor.monitor((line) => {
        if (line.includes('fkapi:kit_b')) seen.push(line);
      });
      try {
        const answers = await Promise.all([
          store.get('kit_b1'),
          store.getResponse('kit_b2'),
          store.get('kit_b1'),
          store.get('kit_b3'),
          store.get('kit_b9'),
        ]);
        expect(answers[0]).toBe('{"id":"b1"}');
        expect(answers[1]?.body.toString()).toBe('{"id":"b2"}');
        expect(answers[2]).toBe('{"id":"b1"}');
        expect(answers[3]).toBe('{"id":"b3"}');
        expect(answers[4]).toBeNull();
        await waitFor(() => seen.length > 1, 2000);
        await sleep(50);
        expect(seen).toHaveLength(2);
        expect(seen[0]).toMatch(/"mget" "fkapi:kit_b1"$/i);
        expect(seen[1]).toMatch(/"mget" "fkapi:kit_b2" "fkapi:kit_b3" "fkapi:kit_b9"$/i);
      } finally {
        await monitor.close();
      }
    });

    it('indexes the entry under each tag (scored by expiry) and under its cache_type', async () => {
      await put(store, entry('kit_1', ['kit:1', 'club:5']));
      const member = 'kit|fkapi:kit_1';
      expect(await redis.client.zScore('fkapi:tag:kit:1', member)).toBeGreaterThan(Date.now());
      expect(await redis.client.zScore('fkapi:tag:club:5', member)).toBeGreaterThan(Date.now());
      expect(await redis.client.zScore('fkapi:type:kit', 'fkapi:kit_1')).toBeGreaterThan(Date.now());
      expect(await store.countEntries()).toMatchObject({ kit: 1 });
    });

    it('forgets an expired entry: gone from Redis, not counted, pruned from its tag when the tag is written', async () => {
      await put(store, entry('kit_short', ['club:9'], '"x"', 'kit', 0.05));
      await sleep(80);
      expect(await store.get('kit_short')).toBeNull();
      expect((await store.countEntries()).kit ?? 0).toBe(0);
      await put(store, entry('kit_long', ['club:9']));
      expect(await redis.client.zRange('fkapi:tag:club:9', 0, -1)).toEqual(['kit|fkapi:kit_long']);
    });
  });

  describe('invalidation by tag', () => {
    let store: CacheStore;
    beforeEach(async () => {
      ({ store } = await openStore(redis.url, { membersPerCall: 100 }));
      await store.clearNamespace();
    });

    it('deletes exactly the entries under the tag and leaves every other entry', async () => {
      await put(store, entry('kit_1', ['kit:1', 'club:5']));
      await put(store, entry('kit_club_5', ['club:5', 'kit:1', 'kit:2']));
      await put(store, entry('kit_2', ['kit:2', 'club:6']));
      await put(store, entry('search_kits_red', ['search', 'kit:2'], '[]', 'search'));

      expect((await store.invalidateTags(['kit:1'])).deleted).toBe(2);
      expect(await store.get('kit_1')).toBeNull();
      expect(await store.get('kit_club_5')).toBeNull();
      expect(await store.get('kit_2')).toBe('"kit_2"');
      expect(await store.get('search_kits_red')).toBe('[]');
      expect(await store.countEntries()).toMatchObject({ kit: 1, search: 1 });

      expect((await store.invalidateTags(['search'])).deleted).toBe(1);
      expect(await store.get('kit_2')).toBe('"kit_2"');
    });

    it('counts an entry under several invalidated tags once', async () => {
      await put(store, entry('kit_7', ['kit:7', 'club:1', 'season:3']));
      expect((await store.invalidateTags(['club:1', 'season:3', 'kit:7'])).deleted).toBe(1);
      expect(await redis.client.exists(['fkapi:tag:club:1', 'fkapi:tag:season:3', 'fkapi:tag:kit:7'])).toBe(
        0,
      );
    });

    it('deletes a tag with more members than one Lua call takes, over several calls', async () => {
      for (let i = 0; i < 450; i++) await put(store, entry(`kit_${i}`, ['club:77', `kit:${i}`]));
      await put(store, entry('kit_other', ['club:78']));
      expect((await store.invalidateTags(['club:77'])).deleted).toBe(450);
      expect(await redis.client.exists('fkapi:tag:club:77')).toBe(0);
      expect(await store.countEntries()).toMatchObject({ kit: 1 });
      expect(await store.get('kit_other')).not.toBeNull();
    });

    it('is a no-op for a tag nobody used, and for no tags', async () => {
      expect((await store.invalidateTags(['brand:404'])).deleted).toBe(0);
      expect(await store.invalidateTags([])).toEqual({ deleted: 0, sequence: 0 });
    });

    it('advances the invalidation sequence and marks the tags with it', async () => {
      const before = (await store.readSequence('kit_9')) ?? 0;
      const { sequence } = await store.invalidateTags(['kit:9', 'club:9']);
      expect(sequence).toBe(before + 1);
      expect(await redis.client.get('fkapi:inv:tag:kit:9')).toBe(String(sequence));
      expect(await redis.client.pTTL('fkapi:inv:tag:club:9')).toBeGreaterThan(5 * 60_000);
    });
  });

  describe('race safety (docs/DESIGN.md §3)', () => {
    let store: CacheStore;
    beforeEach(async () => {
      ({ store } = await openStore());
    });

    it('refuses to store a value read before an invalidation of one of its tags', async () => {
      const sequence = (await store.readSequence('club_5'))!; // the reader starts its database query…
      await store.invalidateTags(['club:5']); // …a write commits and invalidates…
      // …and the reader, finishing, tries to store what it read before the write.
      expect(await store.setWithTags(entry('club_5', ['club:5'], '"old"', 'club'), sequence)).toBe(false);
      expect(await store.get('club_5')).toBeNull();
    });

    it('stores a value whose tags were not invalidated meanwhile', async () => {
      const sequence = (await store.readSequence('club_5b'))!;
      await store.invalidateTags(['club:6']);
      expect(await store.setWithTags(entry('club_5b', ['club:5'], '"ok"', 'club'), sequence)).toBe(true);
    });

    it('stores a value read after the invalidation', async () => {
      await store.invalidateTags(['club:7']);
      const sequence = (await store.readSequence('club_7'))!;
      expect(await store.setWithTags(entry('club_7', ['club:7'], '"new"', 'club'), sequence)).toBe(true);
    });

    it('refuses every value read before a namespace clear', async () => {
      const sequence = (await store.readSequence('club_8'))!;
      await store.clearNamespace();
      expect(await store.setWithTags(entry('club_8', ['club:8'], '"old"', 'club'), sequence)).toBe(false);
    });

    it('does not store what a computation read when a write invalidated its tag during the computation', async () => {
      const metrics = new CacheMetrics(new Registry());
      const cache = new CacheService(store, metrics, config);
      const spec = { key: 'club_11', cacheType: 'club', tags: () => ['club:11'] };
      const value = await cache.read(spec, async () => {
        const read = { name: 'before the write' };
        await store.invalidateTags(['club:11']); // the write commits while we compute
        return read;
      });
      expect(value).toEqual({ name: 'before the write' });
      expect(await store.get('club_11')).toBeNull();
      expect(await cache.read(spec, () => Promise.resolve({ name: 'after the write' }))).toEqual({
        name: 'after the write',
      });
      expect(await store.get('club_11')).toBe('{"name":"after the write"}');
    });
  });

  describe('deleteKey and clearNamespace', () => {
    it('deletes one key and its cache_type membership', async () => {
      const { store } = await openStore();
      await store.clearNamespace();
      await put(store, entry('brand_2', ['brand:2'], '"b"', 'brand'));
      expect(await store.deleteKey('brand_2')).toBe(true);
      expect(await store.deleteKey('brand_2')).toBe(false);
      expect((await store.countEntries()).brand ?? 0).toBe(0);
    });

    it('unlinks every entry and index of ours in batches and leaves foreign keys in the same database', async () => {
      const { store } = await openStore(redis.url, { clearBatchSize: 7 });
      for (let i = 0; i < 40; i++)
        await put(store, entry(`club_${i}`, [`club:${i}`, 'search'], '"c"', 'club'));
      await redis.client.set('foreign:key', '1');
      await redis.client.set('fkapi', 'no colon: not ours');
      await redis.client.zAdd('foreign:zset', { score: 1, value: 'fkapi:club_1' });
      try {
        expect(await store.clearNamespace()).toBe(40);
        const ours = (await redis.client.keys('fkapi:*')).filter((k) => !/^fkapi:(inv:|types$)/.test(k));
        expect(ours).toEqual([]);
        expect(await redis.client.get('foreign:key')).toBe('1');
        expect(await redis.client.get('fkapi')).toBe('no colon: not ours');
        expect(await redis.client.zCard('foreign:zset')).toBe(1);
      } finally {
        await redis.client.del(['foreign:key', 'fkapi', 'foreign:zset']);
      }
    });
  });

  describe('when Redis is unreachable', () => {
    it('misses at once, counts the error and keeps answering, when Redis is down from the start', async () => {
      const commandTimeoutMs = 250;
      const { store, metrics } = await openStore('redis://127.0.0.1:1', { commandTimeoutMs }, undefined, 200);
      const started = Date.now();
      for (let i = 0; i < 20; i++) expect(await store.get('club_1')).toBeNull();
      // At once: the 20 misses together took less than the command timeout each would have waited.
      expect(Date.now() - started).toBeLessThan(20 * commandTimeoutMs);
      expect(await errorsCounted(metrics, 'get')).toBe(20);
      expect(await store.readSequence('kit_1')).toBeNull();
      expect(await store.ping()).toBe(false);
    });

    it('makes invalidations throw, so the outbox keeps them', async () => {
      const { store } = await openStore('redis://127.0.0.1:1', {}, undefined, 100);
      await expect(store.invalidateTags(['club:1'])).rejects.toBeInstanceOf(CacheUnavailableError);
      await expect(store.clearNamespace()).rejects.toBeInstanceOf(CacheUnavailableError);
    });

    it('gives up on a hanging Redis after the command timeout, then skips it while the breaker is open', async () => {
      const proxy = await startFreezableProxy(redis.url);
      try {
        const { store, metrics } = await openStore(proxy.url, {
          commandTimeoutMs: 400,
          failureThreshold: 3,
          cooldownMs: 300,
        });
        await put(store, entry('club_h', ['club:h'], '"h"', 'club'));
        expect(await store.get('club_h')).toBe('"h"');
        proxy.freeze(true);
        const first = Date.now();
        await expect(store.invalidateTags(['club:x'])).rejects.toBeInstanceOf(CacheUnavailableError);
        expect(Date.now() - first).toBeGreaterThanOrEqual(390);
        // The failed invalidation also starts a recovery, whose probe times out too: the
        // breaker opens after three timeouts in all.
        for (let i = 0; i < 3 && store.circuitState !== 'open'; i++) {
          await expect(store.invalidateTags(['club:x'])).rejects.toBeInstanceOf(CacheUnavailableError);
        }
        expect(store.circuitState).toBe('open');
        const timedOut = await errorsCounted(metrics, 'invalidate');
        const started = Date.now();
        expect(await store.get('club_h')).toBeNull();
        await expect(store.invalidateTags(['club:x'])).rejects.toThrow(/circuit open/);
        expect(Date.now() - started).toBeLessThan(400); // both calls together: less than one command timeout
        expect(await errorsCounted(metrics, 'invalidate')).toBe(timedOut + 1);

        proxy.freeze(false);
        // After the cool-down one probe goes through, closes the circuit and reads resume.
        await waitFor(async () => (await store.get('club_h')) === '"h"', 3000);
        expect(store.circuitState).toBe('closed');
      } finally {
        await proxy.close();
      }
    });

    it('takes an answer that came while the event loop was busy for longer than the timeout', async () => {
      const { store, metrics } = await openStore(redis.url, { commandTimeoutMs: 250, failureThreshold: 1 });
      await put(store, entry('club_busy', ['club:busy'], '"busy"', 'club'));
      const before = await errorsCounted(metrics, 'get');
      const read = store.get('club_busy');
      // The MGET has been written (node-redis writes on setImmediate); then the process is busy
      // for 400 ms with other work while Redis answers: at the next turn the timeout is due and
      // the answer is waiting on the socket.
      await new Promise((resolve) => setImmediate(resolve));
      const busyUntil = Date.now() + 400;
      while (Date.now() < busyUntil);
      expect(await read).toBe('"busy"');
      expect((await errorsCounted(metrics, 'get')) - before).toBe(0);
      expect(store.circuitState).toBe('closed');
      expect(store.serving).toBe(true);
    });

    it('counts one get error per read when a batch of reads times out, a key asked twice counting twice', async () => {
      const proxy = await startFreezableProxy(redis.url);
      try {
        const { store, metrics } = await openStore(proxy.url, {
          commandTimeoutMs: 300,
          failureThreshold: 100,
        });
        const before = await errorsCounted(metrics, 'get');
        proxy.freeze(true);
        const answers = await Promise.all(
          ['kit_t1', 'kit_t1', 'kit_t2', 'kit_t3', 'kit_t3'].map((k) => store.get(k)),
        );
        expect(answers).toEqual([null, null, null, null, null]);
        expect((await errorsCounted(metrics, 'get')) - before).toBe(5);
      } finally {
        proxy.freeze(false);
        await proxy.close();
      }
    });

    it('drops a value Redis sent after reads were stopped, and serves it again once recovered', async () => {
      const proxy = await startFreezableProxy(redis.url);
      const connection = redisConnection(proxy.url, 2000);
      const client = connection.client;
      const store = new RedisCacheStore(connection, new CacheMetrics(new Registry()), {
        commandTimeoutMs: 2000,
      });
      opened.push(store);
      try {
        await store.connection.open(2000);
        await put(store, entry('club_late', ['club:late'], '"late"', 'club'));
        proxy.freeze(true);
        const read = store.get('club_late');
        await sleep(50); // the MGET is on its way; Redis has answered, the proxy holds the answer
        client.emit('error', new Error('connection trouble')); // reads stop here
        proxy.freeze(false);
        expect(await read).toBeNull();
        await waitFor(() => store.serving, 3000);
        expect(await store.get('club_late')).toBe('"late"');
      } finally {
        await proxy.close();
      }
    });

    it('serves no read after Redis returns until every recovery task has run, and retries a failed task', async () => {
      const proxy = await startRedisProxy(redis.url);
      try {
        const { store } = await openStore(proxy.url, { cooldownMs: 100 });
        await put(store, entry('club_r', ['club:r'], '"kept alive by the outage"', 'club'));
        let attempts = 0;
        let release!: () => void;
        const drained = new Promise<void>((resolve) => (release = resolve));
        store.addRecoveryTask(async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('outbox not reachable yet');
          await drained;
          await store.invalidateTags(['club:r']); // the invalidation the outage held back
        });

        proxy.cut();
        await waitFor(() => !store.serving, 2000);
        proxy.restore();
        await waitFor(() => attempts >= 2, 5000);
        // Redis answers again, but the pending invalidation has not been applied yet.
        expect(await store.ping()).toBe(true);
        expect(await store.get('club_r')).toBeNull();
        expect(await redis.client.exists('fkapi:club_r')).toBe(1);
        release();
        await waitFor(() => store.serving, 2000);
        expect(await redis.client.exists('fkapi:club_r')).toBe(0);
        expect(await store.get('club_r')).toBeNull();
      } finally {
        await proxy.close();
      }
    });
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
