import { AfterQueryEvent, DataSource, EntityManager, EntitySubscriberInterface } from 'typeorm';
import { Brand } from '../../src/brands/brand.entity';
import { brandChangeTags } from '../../src/brands/brand.invalidation';
import { Family, Tag } from '../../src/cache/cache-tags';
import { UnattributableWriteError } from '../../src/cache/invalidation.subscriber';
import { clubChangeTags } from '../../src/clubs/club.invalidation';
import { colorChangeTags } from '../../src/colors/color.invalidation';
import { competitionChangeTags } from '../../src/competitions/competition.invalidation';
import { kitTypeChangeTags } from '../../src/kit-types/kit-type.invalidation';
import { cascadedKitsChangeTags, kitChangeTags } from '../../src/kits/kit.invalidation';
import { seasonChangeTags } from '../../src/seasons/season.invalidation';
import { Club } from '../../src/clubs/club.entity';
import { Color } from '../../src/colors/color.entity';
import { Competition } from '../../src/competitions/competition.entity';
import { KitType } from '../../src/kit-types/kit-type.entity';
import { Kit } from '../../src/kits/kit.entity';
import { Season } from '../../src/seasons/season.entity';
import {
  colorByName,
  makeBrand,
  makeClub,
  makeCompetition,
  makeKit,
  makeKitType,
  makeSeason,
} from '../factories/catalog';
import { OutboxInstance, startOutboxInstance } from '../utils/outbox-context';
import {
  connectRedis,
  RecordingInvalidator,
  RedisClient,
  RedisTagIndex,
  testRedisPrefix,
} from '../utils/redis-tag-index';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

type EntityKind = 'club' | 'season' | 'kit' | 'brand' | 'competition' | 'kit_type' | 'color';

/** What each catalogue module declares a write of one of its rows drops. */
const CHANGE_TAGS: Record<Exclude<EntityKind, 'kit'>, (id: number) => string[]> = {
  club: clubChangeTags,
  season: seasonChangeTags,
  brand: brandChangeTags,
  competition: competitionChangeTags,
  kit_type: kitTypeChangeTags,
  color: colorChangeTags,
};
const entityChangeTags = (kind: Exclude<EntityKind, 'kit'>, id: number): string[] => CHANGE_TAGS[kind](id);

let db: TestDatabase;
let redis: RedisClient;
let index: RedisTagIndex;
let invalidator: RecordingInvalidator;
let instance: OutboxInstance;
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await connectRedis();
  index = new RedisTagIndex(redis, testRedisPrefix());
  invalidator = new RecordingInvalidator(index);
  // The background loop stays out of the way: these tests are about the after-commit path.
  instance = await startOutboxInstance(db.url, invalidator, { drainer: { pollIntervalMs: 60_000 } });
  ds = instance.dataSource;
});

afterAll(async () => {
  await instance.close();
  await index.clear();
  await redis.close();
  await db.drop();
});

beforeEach(() => invalidator.reset());

const outboxRows = async (): Promise<number> => instance.drainer.pendingCount();
const sorted = (tags: readonly string[]): string[] => [...new Set(tags)].sort();
let entrySequence = 0;

/** Stores an entry under `tags` and returns its key. */
async function cachedUnder(...tags: string[]): Promise<string> {
  const key = `entry:${++entrySequence}`;
  await index.put(key, tags);
  return key;
}

interface KindCase {
  kind: Exclude<EntityKind, 'kit'>;
  create: (ds: DataSource) => Promise<{ id: number }>;
  change: (row: never) => void;
  target: typeof Club | typeof Season | typeof Brand | typeof Competition | typeof KitType | typeof Color;
}

let colorSequence = 0;
const kinds: KindCase[] = [
  { kind: 'club', target: Club, create: (d) => makeClub(d), change: (c: Club) => (c.name = `${c.name}!`) },
  {
    kind: 'season',
    target: Season,
    create: (d) => makeSeason(d),
    change: (s: Season) => (s.secondYear = null),
  },
  {
    kind: 'brand',
    target: Brand,
    create: (d) => makeBrand(d),
    change: (b: Brand) => (b.name = `${b.name}!`),
  },
  {
    kind: 'competition',
    target: Competition,
    create: (d) => makeCompetition(d),
    change: (c: Competition) => (c.country = 'FR'),
  },
  {
    kind: 'kit_type',
    target: KitType,
    create: (d) => makeKitType(d),
    change: (t: KitType) => (t.orderPriority = 7),
  },
  {
    kind: 'color',
    target: Color,
    create: (d) =>
      d
        .getRepository(Color)
        .save(Object.assign(new Color(), { name: `Tone ${++colorSequence}`, color: '#123456' })),
    change: (c: Color) => (c.color = '#654321'),
  },
];

const tagOf = (kind: Exclude<EntityKind, 'kit'>, id: number): string => entityChangeTags(kind, id)[0];

describe.each(kinds)('a $kind row', ({ kind, create, change, target }) => {
  it('invalidates exactly its tags after its insert commits', async () => {
    const row = await create(ds);
    expect(invalidator.invalidated()).toEqual(sorted(entityChangeTags(kind, row.id)));
    expect(await outboxRows()).toBe(0);
  });

  it('drops the entries that contain it when it is updated, and keeps the others', async () => {
    const row = await create(ds);
    const other = await create(ds);
    const containing = await cachedUnder(tagOf(kind, row.id));
    const unrelated = await cachedUnder(tagOf(kind, other.id));
    invalidator.reset();

    await ds.transaction(async (manager) => {
      const loaded = await manager.findOneByOrFail(target, { id: row.id });
      change(loaded as never);
      await manager.save(loaded);
    });

    expect(invalidator.invalidated()).toEqual(sorted(entityChangeTags(kind, row.id)));
    expect(await index.has(containing)).toBe(false);
    expect(await index.has(unrelated)).toBe(true);
    expect(await outboxRows()).toBe(0);
  });

  it('drops the entries that contain it when it is removed', async () => {
    const row = await create(ds);
    const containing = await cachedUnder(tagOf(kind, row.id));
    invalidator.reset();

    await ds.transaction(async (manager) => {
      await manager.remove(await manager.findOneByOrFail(target, { id: row.id }));
    });

    // Removing a season, brand or kit type also deletes its kits (ON DELETE CASCADE): their lists go too.
    const cascaded = ['season', 'brand', 'kit_type'].includes(kind) ? cascadedKitsChangeTags([]) : [];
    expect(invalidator.invalidated()).toEqual(
      sorted([...new Set([...entityChangeTags(kind, row.id), ...cascaded])]),
    );
    expect(await index.has(containing)).toBe(false);
  });
});

describe('a kit', () => {
  const keysOf = (kit: Kit) => ({ id: kit.id, teamId: kit.teamId, seasonId: kit.seasonId });

  it("invalidates its own tag, what lists its club's and season's kits, and the kit families when it is inserted", async () => {
    const [team, season] = [await makeClub(ds), await makeSeason(ds)];
    invalidator.reset();
    const kit = await makeKit(ds, { team, season, type: await makeKitType(ds), brand: await makeBrand(ds) });

    const kitCall = invalidator.calls.at(-1)!;
    expect(kitCall.tags).toEqual(sorted(kitChangeTags(undefined, keysOf(kit))));
    expect(kitCall.tags).toEqual(
      expect.arrayContaining([
        Tag.kit(kit.id),
        Tag.clubKits(team.id),
        Tag.seasonKits(season.id),
        Family.kitsList,
      ]),
    );
  });

  it('invalidates what lists the kits of the old and the new club and season when it moves from club A / season S to club B / season T', async () => {
    const [clubA, clubB] = [await makeClub(ds), await makeClub(ds)];
    const [seasonS, seasonT] = [await makeSeason(ds), await makeSeason(ds)];
    const kit = await makeKit(ds, { team: clubA, season: seasonS });
    const entries = {
      kit: await cachedUnder(Tag.kit(kit.id)),
      clubA: await cachedUnder(Tag.clubKits(clubA.id)),
      clubB: await cachedUnder(Tag.clubKits(clubB.id)),
      seasonS: await cachedUnder(Tag.seasonKits(seasonS.id)),
      seasonT: await cachedUnder(Tag.seasonKits(seasonT.id)),
    };
    const unrelatedClub = await makeClub(ds);
    const unrelated = await cachedUnder(Tag.clubKits(unrelatedClub.id));
    invalidator.reset();

    await ds.transaction(async (manager) => {
      const loaded = await manager.findOneByOrFail(Kit, { id: kit.id });
      loaded.teamId = clubB.id;
      loaded.seasonId = seasonT.id;
      await manager.save(loaded);
    });

    expect(invalidator.invalidated()).toEqual(
      sorted(kitChangeTags(keysOf(kit), { id: kit.id, teamId: clubB.id, seasonId: seasonT.id })),
    );
    expect(invalidator.invalidated()).toEqual(
      expect.arrayContaining([
        Tag.kit(kit.id),
        Tag.clubKits(clubA.id),
        Tag.clubKits(clubB.id),
        Tag.seasonKits(seasonS.id),
        Tag.seasonKits(seasonT.id),
      ]),
    );
    for (const key of Object.values(entries)) expect(await index.has(key)).toBe(false);
    expect(await index.has(unrelated)).toBe(true);
  });

  it('invalidates the old and new club when it is saved from a partial object naming only the new club', async () => {
    const [clubA, clubB] = [await makeClub(ds), await makeClub(ds)];
    const kit = await makeKit(ds, { team: clubA });
    invalidator.reset();

    await ds.transaction((manager) => manager.save(Kit, { id: kit.id, teamId: clubB.id }));

    expect(invalidator.invalidated()).toEqual(
      sorted(kitChangeTags(keysOf(kit), { id: kit.id, teamId: clubB.id, seasonId: kit.seasonId })),
    );
  });

  it('invalidates the new club when the kit is moved through its team relation rather than teamId', async () => {
    const [clubA, clubB] = [await makeClub(ds), await makeClub(ds)];
    const kit = await makeKit(ds, { team: clubA });
    invalidator.reset();

    await ds.transaction((manager) => manager.save(Kit, { id: kit.id, team: clubB }));

    expect((await ds.getRepository(Kit).findOneByOrFail({ id: kit.id })).teamId).toBe(clubB.id);
    expect(invalidator.invalidated()).toEqual(
      sorted(kitChangeTags(keysOf(kit), { id: kit.id, teamId: clubB.id, seasonId: kit.seasonId })),
    );
  });

  it('invalidates its club and season when only its name changes', async () => {
    const kit = await makeKit(ds);
    invalidator.reset();

    await ds.transaction(async (manager) => {
      const loaded = await manager.findOneByOrFail(Kit, { id: kit.id });
      loaded.name = 'Renamed';
      await manager.save(loaded);
    });

    expect(invalidator.invalidated()).toEqual(sorted(kitChangeTags(keysOf(kit), keysOf(kit))));
  });

  it("invalidates what lists its club's and season's kits too when it is deleted", async () => {
    const kit = await makeKit(ds);
    const entries = [
      await cachedUnder(Tag.kit(kit.id)),
      await cachedUnder(Tag.clubKits(kit.teamId)),
      await cachedUnder(Tag.seasonKits(kit.seasonId)),
    ];
    invalidator.reset();

    await ds.transaction(async (manager) =>
      manager.remove(await manager.findOneByOrFail(Kit, { id: kit.id })),
    );

    expect(invalidator.invalidated()).toEqual(sorted(kitChangeTags(keysOf(kit), undefined)));
    for (const key of entries) expect(await index.has(key)).toBe(false);
  });

  it('invalidates the kit when only its competitions change (added, then removed)', async () => {
    const kit = await makeKit(ds);
    const [cup, league] = [await makeCompetition(ds), await makeCompetition(ds)];
    const entry = await cachedUnder(Tag.kit(kit.id));
    invalidator.reset();

    await ds.transaction(async (manager) => {
      const loaded = await manager.findOneOrFail(Kit, {
        where: { id: kit.id },
        relations: { competitions: true },
      });
      loaded.competitions = [cup, league];
      await manager.save(loaded);
    });

    expect(invalidator.calls).toHaveLength(1);
    expect(invalidator.invalidated()).toEqual(sorted(kitChangeTags(keysOf(kit), keysOf(kit))));
    expect(await index.has(entry)).toBe(false);

    const again = await cachedUnder(Tag.kit(kit.id));
    invalidator.reset();
    await ds.transaction(async (manager) => {
      const loaded = await manager.findOneOrFail(Kit, {
        where: { id: kit.id },
        relations: { competitions: true },
      });
      loaded.competitions = [];
      await manager.save(loaded);
    });

    expect(invalidator.invalidated()).toEqual(sorted(kitChangeTags(keysOf(kit), keysOf(kit))));
    expect(await index.has(again)).toBe(false);
    const stored = await ds
      .getRepository(Kit)
      .findOneOrFail({ where: { id: kit.id }, relations: { competitions: true } });
    expect(stored.competitions).toEqual([]);
  });

  it('invalidates the kit when only its secondary colours change', async () => {
    const kit = await makeKit(ds, { secondaryColors: [await colorByName(ds, 'White')] });
    const entry = await cachedUnder(Tag.kit(kit.id));
    invalidator.reset();

    await ds.transaction(async (manager) => {
      const loaded = await manager.findOneOrFail(Kit, {
        where: { id: kit.id },
        relations: { secondaryColors: true },
      });
      loaded.secondaryColors = [await colorByName(ds, 'Navy')];
      await manager.save(loaded);
    });

    expect(invalidator.invalidated()).toEqual(sorted(kitChangeTags(keysOf(kit), keysOf(kit))));
    expect(await index.has(entry)).toBe(false);
  });
});

describe('transactions', () => {
  it('invalidates nothing before the commit, and everything right after it', async () => {
    const club = await makeClub(ds);
    const entry = await cachedUnder(Tag.clubKits(club.id));
    invalidator.reset();
    let callsInsideTransaction = -1;
    let entryCachedInsideTransaction = false;

    await ds.transaction(async (manager) => {
      await manager.save(Object.assign(club, { name: 'Renamed inside' }));
      callsInsideTransaction = invalidator.calls.length;
      entryCachedInsideTransaction = await index.has(entry);
    });

    expect(callsInsideTransaction).toBe(0);
    expect(entryCachedInsideTransaction).toBe(true);
    expect(invalidator.calls).toHaveLength(1);
    expect(await index.has(entry)).toBe(false);
  });

  it('writes the outbox row inside the transaction, and deletes it after the commit once invalidated', async () => {
    const club = await makeClub(ds);
    const statements: string[] = [];
    const log: EntitySubscriberInterface = {
      afterQuery: ({ query }: AfterQueryEvent) =>
        void statements.push(query.trim().split(/\s+/).slice(0, 3).join(' ')),
    };
    ds.subscribers.push(log);
    try {
      await ds.transaction((manager) => manager.save(Object.assign(club, { name: 'Outboxed' })));
    } finally {
      ds.subscribers.splice(ds.subscribers.indexOf(log), 1);
    }

    const position = (statement: string): number => statements.indexOf(statement);
    expect(position('START TRANSACTION')).toBeGreaterThanOrEqual(0);
    expect(position('INSERT INTO cache_outbox')).toBeGreaterThan(position('UPDATE "clubs" SET'));
    expect(position('COMMIT')).toBeGreaterThan(position('INSERT INTO cache_outbox'));
    expect(position('DELETE FROM cache_outbox')).toBeGreaterThan(position('COMMIT'));
    expect(await outboxRows()).toBe(0);
  });

  it('collects every write of a transaction into one invalidation', async () => {
    const [club, brand] = [await makeClub(ds), await makeBrand(ds)];
    invalidator.reset();

    await ds.transaction(async (manager) => {
      await manager.save(Object.assign(club, { name: 'One' }));
      await manager.save(Object.assign(brand, { name: 'Two' }));
    });

    expect(invalidator.calls).toHaveLength(1);
    expect(invalidator.calls[0].tags).toEqual(
      sorted([...entityChangeTags('club', club.id), ...entityChangeTags('brand', brand.id)]),
    );
  });

  it('invalidates nothing and leaves no outbox row when the transaction rolls back', async () => {
    const club = await makeClub(ds);
    const entry = await cachedUnder(Tag.clubKits(club.id));
    invalidator.reset();

    await expect(
      ds.transaction(async (manager) => {
        await manager.save(Object.assign(club, { name: 'Never committed' }));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');

    expect(invalidator.calls).toHaveLength(0);
    expect(await index.has(entry)).toBe(true);
    expect(await outboxRows()).toBe(0);
    expect((await ds.getRepository(Club).findOneByOrFail({ id: club.id })).name).not.toBe('Never committed');
  });

  it('waits for the outermost commit when the write happens in a nested transaction', async () => {
    const club = await makeClub(ds);
    invalidator.reset();
    let callsAfterInnerCommit = -1;

    await ds.transaction(async (outer: EntityManager) => {
      await outer.transaction((inner) => inner.save(Object.assign(club, { name: 'Nested' })));
      callsAfterInnerCommit = invalidator.calls.length;
    });

    expect(callsAfterInnerCommit).toBe(0);
    expect(invalidator.invalidated()).toEqual(sorted(entityChangeTags('club', club.id)));
  });

  it('invalidates nothing when the outer transaction rolls back after a nested one committed', async () => {
    const club = await makeClub(ds);
    invalidator.reset();

    await expect(
      ds.transaction(async (outer) => {
        await outer.transaction((inner) => inner.save(Object.assign(club, { name: 'Nested' })));
        throw new Error('abort outer');
      }),
    ).rejects.toThrow('abort outer');

    expect(invalidator.calls).toHaveLength(0);
    expect(await outboxRows()).toBe(0);
  });

  it('invalidates a save() that opened its own transaction', async () => {
    const club = await makeClub(ds);
    invalidator.reset();

    await ds.getRepository(Club).save(Object.assign(club, { name: 'Implicit' }));

    expect(invalidator.invalidated()).toEqual(sorted(entityChangeTags('club', club.id)));
    expect(await outboxRows()).toBe(0);
  });

  it('invalidates a write made outside any transaction right away', async () => {
    const club = await makeClub(ds);
    const entry = await cachedUnder(Tag.clubKits(club.id));
    invalidator.reset();

    await ds
      .getRepository(Club)
      .save(Object.assign(club, { name: 'No transaction' }), { transaction: false });

    expect(invalidator.invalidated()).toEqual(sorted(entityChangeTags('club', club.id)));
    expect(await index.has(entry)).toBe(false);
    expect(await outboxRows()).toBe(0);
  });

  it('refuses a query-builder update it cannot attribute to a row, rolling it back', async () => {
    const club = await makeClub(ds);
    invalidator.reset();

    await expect(
      ds.transaction((manager) =>
        manager
          .createQueryBuilder()
          .update(Club)
          .set({ name: 'Untracked' })
          .where('id = :id', { id: club.id })
          .execute(),
      ),
    ).rejects.toBeInstanceOf(UnattributableWriteError);

    expect((await ds.getRepository(Club).findOneByOrFail({ id: club.id })).name).toBe(club.name);
    expect(invalidator.calls).toHaveLength(0);
  });

  it('ignores writes to tables nothing caches', async () => {
    await ds.query("INSERT INTO variations (name, parent_color_id) VALUES ('Light', 1)");
    invalidator.reset();

    await ds.transaction(async (manager) => {
      await manager.query("UPDATE variations SET name = 'Lighter'");
    });

    expect(invalidator.calls).toHaveLength(0);
    expect(await outboxRows()).toBe(0);
  });
});
