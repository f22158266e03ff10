import { ENTRY_VERSION } from '../../src/cache/cache-key';
import { Global, Injectable, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { CACHE_STORE, CacheStore } from '../../src/cache/cache-store';
import { CacheModule } from '../../src/cache/cache.module';
import { Cached } from '../../src/cache/cached.decorator';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { CacheMetrics, METRICS_REGISTRY } from '../../src/metrics/cache-metrics';
import { HttpMetrics } from '../../src/metrics/http-metrics';

class NotFound extends Error {}

@Injectable()
class KitsReader {
  calls = 0;

  @Cached('kit', { tags: (kit: { id: number; clubId: number }) => [`kit:${kit.id}`, `club:${kit.clubId}`] })
  async getKit(id: number): Promise<{ id: number; clubId: number; call: number }> {
    this.calls += 1;
    if (id === 404) throw new NotFound();
    return Promise.resolve({ id, clubId: 5, call: this.calls });
  }

  @Cached('kit_club', {
    key: (clubId: number, query: { season?: number; page: number }) => ({
      args: [clubId],
      kwargs: { season: query.season ?? null, page: query.page },
    }),
    tags: (_kits: number[], clubId: number) => [`club:${clubId}`],
    ttl: 60,
  })
  clubKits(clubId: number, query: { season?: number; page: number }): Promise<number[]> {
    this.calls += 1;
    return Promise.resolve([clubId, query.page]);
  }

  uncached(): Promise<number> {
    this.calls += 1;
    return Promise.resolve(this.calls);
  }
}

/** The metrics without the /metrics controller: this test builds no HTTP server. */
@Global()
@Module({
  providers: [{ provide: METRICS_REGISTRY, useValue: new Registry() }, CacheMetrics, HttpMetrics],
  exports: [CacheMetrics, HttpMetrics],
})
class TestMetricsModule {}

describe('@Cached', () => {
  let moduleRef: TestingModule;
  let reader: KitsReader;
  let store: CacheStore;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(loadConfig({ CACHE_TTL_SECONDS: '900' })),
        TestMetricsModule,
        CacheModule,
      ],
      providers: [KitsReader],
    }).compile();
    await moduleRef.init();
    reader = moduleRef.get(KitsReader);
    store = moduleRef.get(CACHE_STORE);
  });
  afterAll(async () => moduleRef.close());

  it('caches a decorated method under prefix + arguments until one of its tags is invalidated', async () => {
    const first = await reader.getKit(42);
    expect(await reader.getKit(42)).toEqual(first);
    expect(await store.get(`${ENTRY_VERSION}kit_42`)).toBe(JSON.stringify(first));
    expect(await store.countEntries()).toMatchObject({ kit: 1 });
    await store.invalidateTags(['club:5']);
    expect((await reader.getKit(42)).call).toBe(first.call + 1);
  });

  it('builds the key from the key function, kwargs sorted by name, null rendered as ~', async () => {
    await reader.clubKits(5, { page: 2 });
    expect(await store.get(`${ENTRY_VERSION}kit_club_5_page=2_season=~`)).toBe('[5,2]');
    const calls = reader.calls;
    await reader.clubKits(5, { page: 2 });
    expect(reader.calls).toBe(calls);
    await reader.clubKits(5, { page: 2, season: 3 });
    expect(reader.calls).toBe(calls + 1);
  });

  it('does not cache a thrown error', async () => {
    const calls = reader.calls;
    await expect(reader.getKit(404)).rejects.toBeInstanceOf(NotFound);
    await expect(reader.getKit(404)).rejects.toBeInstanceOf(NotFound);
    expect(reader.calls).toBe(calls + 2);
    expect(await store.get(`${ENTRY_VERSION}kit_404`)).toBeNull();
  });

  it('leaves undecorated methods and the prototype alone', async () => {
    const calls = reader.calls;
    await reader.uncached();
    await reader.uncached();
    expect(reader.calls).toBe(calls + 2);
    const plain = new KitsReader();
    await plain.getKit(1);
    await plain.getKit(1);
    expect(plain.calls).toBe(2);
  });

  it('refuses a malformed prefix when the class is declared', () => {
    expect(() => Cached('Kit:detail', { tags: () => [] })).toThrow(/Invalid cache key prefix/);
  });
});
