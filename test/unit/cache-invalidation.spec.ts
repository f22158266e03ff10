import { CacheInvalidationService, InternalKeyError } from '../../src/cache/cache-invalidation.service';
import { ENTRY_VERSION, entryKey } from '../../src/cache/cache-key';
import { MemoryCacheStore } from '../../src/cache/memory-cache.store';

describe('CacheInvalidationService', () => {
  let store: MemoryCacheStore;
  let service: CacheInvalidationService;
  let invalidated: string[][];
  beforeEach(() => {
    store = new MemoryCacheStore();
    invalidated = [];
    const invalidate = store.invalidateTags.bind(store);
    store.invalidateTags = (tags) => {
      invalidated.push([...tags]);
      return invalidate(tags);
    };
    service = new CacheInvalidationService(store);
  });

  it.each([
    ['invalidateClubCache', 5, ['club:5', 'club_kits:5']],
    ['invalidateSeasonCache', 3, ['season:3', 'season_kits:3']],
    // Without its club and season: every paginated kit list too (they carry no tag per kit).
    ['invalidateKitCache', 42, ['kit:42', 'kits:pages']],
    ['invalidateBrandCache', 2, ['brand:2']],
    ['invalidateCompetitionCache', 7, ['competition:7']],
    ['invalidateUserCollectionCache', 99, ['user_collection:99']],
  ] as const)("%s(id) invalidates the entity's tags", async (method, id, tags) => {
    await service[method](id);
    expect(invalidated).toEqual([tags]);
  });

  it('invalidateSearchCache() invalidates the search family', async () => {
    await service.invalidateSearchCache();
    expect(invalidated).toEqual([['search']]);
  });

  it("invalidateKitCache(id, keys) cascades to the kit's club and season, and the kit lists and searches", async () => {
    await service.invalidateKitCache(42, { teamId: 5, seasonId: 3 });
    expect(new Set(invalidated[0])).toEqual(
      new Set(['kit:42', 'club_kits:5', 'season_kits:3', 'kits:list', 'kits:bulk', 'search:kits']),
    );
  });

  it("invalidateUserCollectionCache also deletes the seed's user_collection_<userid> key", async () => {
    await store.setWithTags(
      {
        key: entryKey('user_collection', [99]),
        value: '{}',
        ttlSeconds: 60,
        cacheType: 'user_collection',
        tags: [],
      },
      0,
    );
    expect(await service.invalidateUserCollectionCache(99)).toBe(1);
    expect(await store.get(entryKey('user_collection', [99]))).toBeNull();
  });

  it('deletes a key given as the seed writes it, versioned, with or without the fkapi: namespace', async () => {
    const store1 = () =>
      store.setWithTags(
        { key: `${ENTRY_VERSION}club_1`, value: '{}', ttlSeconds: 60, cacheType: 'club', tags: [] },
        0,
      );
    for (const given of [
      'club_1',
      'fkapi:club_1',
      `${ENTRY_VERSION}club_1`,
      `fkapi:${ENTRY_VERSION}club_1`,
    ]) {
      await store1();
      expect(await service.deleteKey(given)).toBe(true);
      expect(await service.deleteKey(given)).toBe(false);
    }
  });

  it("keeps another schema version's entry when given that version's key only", async () => {
    await store.setWithTags(
      { key: 'v0:club_1', value: '{}', ttlSeconds: 60, cacheType: 'club', tags: [] },
      0,
    );
    expect(await service.deleteKey('club_1')).toBe(false);
    expect(await service.deleteKey('fkapi:v0:club_1')).toBe(true);
  });

  it.each(['tag:kit:3', 'fkapi:inv:seq', 'types'])(
    'refuses the internal key %s, whoever asks',
    async (key) => {
      await expect(service.deleteKey(key)).rejects.toThrow(InternalKeyError);
    },
  );

  it('does nothing for an empty tag list', async () => {
    expect(await service.invalidateTags([])).toBe(0);
    expect(invalidated).toEqual([]);
  });
});
