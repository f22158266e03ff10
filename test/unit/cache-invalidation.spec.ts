import { CacheInvalidationService } from '../../src/cache/cache-invalidation.service';
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
    ['invalidateKitCache', 42, ['kit:42']],
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
      { key: 'user_collection_99', value: '{}', ttlSeconds: 60, cacheType: 'user_collection', tags: [] },
      0,
    );
    expect(await service.invalidateUserCollectionCache(99)).toBe(1);
    expect(await store.get('user_collection_99')).toBeNull();
  });

  it('deletes a key given with or without the fkapi: namespace', async () => {
    await store.setWithTags({ key: 'club_1', value: '{}', ttlSeconds: 60, cacheType: 'club', tags: [] }, 0);
    expect(await service.deleteKey('fkapi:club_1')).toBe(true);
    expect(await service.deleteKey('club_1')).toBe(false);
  });

  it('does nothing for an empty tag list', async () => {
    expect(await service.invalidateTags([])).toBe(0);
    expect(invalidated).toEqual([]);
  });
});
