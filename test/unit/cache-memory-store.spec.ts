import { MemoryCacheStore } from '../../src/cache/memory-cache.store';

const entry = (key: string, tags: string[], cacheType = 'kit', ttlSeconds = 60) => ({
  key,
  value: JSON.stringify(key),
  ttlSeconds,
  cacheType,
  tags,
});

describe('MemoryCacheStore', () => {
  let now: number;
  let store: MemoryCacheStore;
  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryCacheStore({ now: () => now, maxEntries: 5 });
  });

  it('stores and reads an entry until its TTL passes', async () => {
    expect(await store.setWithTags(entry('kit_1', ['kit:1'], 'kit', 10), 0)).toBe(true);
    expect(await store.get('kit_1')).toBe('"kit_1"');
    now += 10_000;
    expect(await store.get('kit_1')).toBeNull();
    expect(await store.countEntries()).toEqual({});
  });

  it('invalidates exactly the entries under a tag', async () => {
    await store.setWithTags(entry('kit_1', ['kit:1', 'club:5']), 0);
    await store.setWithTags(entry('kit_2', ['kit:2', 'club:5']), 0);
    await store.setWithTags(entry('club_6', ['club:6'], 'club'), 0);
    expect((await store.invalidateTags(['club:5'])).deleted).toBe(2);
    expect(await store.get('kit_1')).toBeNull();
    expect(await store.get('club_6')).toBe('"club_6"');
    expect(await store.countEntries()).toEqual({ club: 1 });
  });

  it('refuses a value read before one of its tags was invalidated, and accepts one read after', async () => {
    const before = (await store.readSequence('any'))!;
    await store.invalidateTags(['club:5']);
    expect(await store.setWithTags(entry('club_5', ['club:5'], 'club'), before)).toBe(false);
    const after = (await store.readSequence('any'))!;
    expect(await store.setWithTags(entry('club_5', ['club:5'], 'club'), after)).toBe(true);
  });

  it('refuses values read before a clear', async () => {
    const before = (await store.readSequence('any'))!;
    await store.setWithTags(entry('kit_1', ['kit:1']), before);
    expect(await store.clearNamespace()).toBe(1);
    expect(await store.setWithTags(entry('kit_2', ['kit:2']), before)).toBe(false);
  });

  it('stays bounded, dropping the oldest entries first', async () => {
    for (let i = 0; i < 7; i++) await store.setWithTags(entry(`kit_${i}`, [`kit:${i}`, 'all']), 0);
    expect(await store.get('kit_0')).toBeNull();
    expect(await store.get('kit_1')).toBeNull();
    expect(await store.get('kit_6')).not.toBeNull();
    expect((await store.invalidateTags(['all'])).deleted).toBe(5);
  });

  it('deletes one key', async () => {
    await store.setWithTags(entry('kit_1', ['kit:1']), 0);
    expect(await store.deleteKey('kit_1')).toBe(true);
    expect(await store.deleteKey('kit_1')).toBe(false);
  });
});
