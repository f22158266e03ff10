import { DataSource } from 'typeorm';
import { Tag } from '../../src/cache/cache-tags';
import { clubChangeTags } from '../../src/clubs/club.invalidation';
import { kitChangeTags } from '../../src/kits/kit.invalidation';
import { OutboxDrainError } from '../../src/cache/outbox/outbox-drainer.service';
import { OutboxRepository } from '../../src/cache/outbox/outbox.repository';
import { ReadsResumeGate } from '../../src/cache/outbox/reads-resume-gate';
import { TagInvalidator } from '../../src/cache/outbox/tag-invalidator';
import { Club } from '../../src/clubs/club.entity';
import { Kit } from '../../src/kits/kit.entity';
import { makeClub, makeKit, makeSeason } from '../factories/catalog';
import { eventually, OutboxInstance, startOutboxInstance } from '../utils/outbox-context';
import { startRedisProxy, RedisProxy } from '../utils/redis-proxy';
import {
  connectRedis,
  RecordingInvalidator,
  RedisClient,
  RedisTagIndex,
  testRedisPrefix,
} from '../utils/redis-tag-index';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** The background loop never fires on its own in these tests unless a test asks for it. */
const QUIET_LOOP = { pollIntervalMs: 60_000 };

let db: TestDatabase;
let redis: RedisClient;
let index: RedisTagIndex;
const outbox = new OutboxRepository();
const instances: OutboxInstance[] = [];
let entrySequence = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await connectRedis();
  index = new RedisTagIndex(redis, testRedisPrefix());
});

afterEach(async () => {
  for (const instance of instances.splice(0)) await instance.close();
  // Rows a test left behind must not leak into the next one's drain counts.
  const cleaner = new DataSource({ type: 'postgres', url: db.url });
  await cleaner.initialize();
  await cleaner.query('DELETE FROM cache_outbox');
  await cleaner.destroy();
});

afterAll(async () => {
  await index.clear();
  await redis.close();
  await db.drop();
});

async function start(
  invalidator: RecordingInvalidator,
  options: Parameters<typeof startOutboxInstance>[2] = { drainer: QUIET_LOOP },
): Promise<OutboxInstance> {
  const instance = await startOutboxInstance(db.url, invalidator, options);
  instances.push(instance);
  return instance;
}

async function cachedUnder(...tags: string[]): Promise<string> {
  const key = `entry:${++entrySequence}`;
  await index.put(key, tags);
  return key;
}

interface PendingRow {
  tags: string[];
  attempts: number;
  last_error: string | null;
}

function pendingRows(ds: DataSource): Promise<PendingRow[]> {
  return ds.query<PendingRow[]>('SELECT tags, attempts, last_error FROM cache_outbox ORDER BY id');
}

const sorted = (tags: readonly string[]): string[] => [...new Set(tags)].sort();

async function renameClub(ds: DataSource, club: Club, name: string): Promise<void> {
  await ds.transaction((manager) => manager.save(Object.assign(club, { name })));
}

describe('while Redis is unreachable', () => {
  let proxy: RedisProxy;
  let proxiedRedis: RedisClient;
  let invalidator: RecordingInvalidator;

  beforeEach(async () => {
    proxy = await startRedisProxy();
    proxiedRedis = await connectRedis(proxy.url);
    invalidator = new RecordingInvalidator(new RedisTagIndex(proxiedRedis, index.prefix));
  });

  afterEach(async () => {
    proxy.restore();
    // destroy, not close: close waits for the commands in flight, which a client still
    // reconnecting through the restored proxy may never finish (a hung teardown seen once
    // under the full suite's load).
    if (proxiedRedis.isOpen) proxiedRedis.destroy();
    await proxy.close();
  });

  it('commits the write, keeps its tags in the outbox, and drainNow() invalidates and removes them once Redis is back', async () => {
    const instance = await start(invalidator);
    const club = await makeClub(instance.dataSource);
    const entry = await cachedUnder(Tag.club(club.id));
    proxy.cut();

    await renameClub(instance.dataSource, club, 'Renamed during the outage');

    expect(invalidator.calls.at(-1)).toEqual({
      tags: sorted(clubChangeTags(club.id)),
      succeeded: false,
    });
    expect((await instance.dataSource.getRepository(Club).findOneByOrFail({ id: club.id })).name).toBe(
      'Renamed during the outage',
    );
    expect((await pendingRows(instance.dataSource)).map((row) => sorted(row.tags))).toEqual([
      sorted(clubChangeTags(club.id)),
    ]);
    expect(await index.has(entry)).toBe(true);

    proxy.restore();
    await eventually(() => proxiedRedis.isReady);

    expect(await instance.drainer.drainNow()).toBe(1);
    expect(await index.has(entry)).toBe(false);
    expect(await instance.drainer.pendingCount()).toBe(0);
  });

  it('keeps retrying the invalidation for a while, so a write during a short outage answers only once invalidated', async () => {
    const instance = await start(invalidator, { drainer: { ...QUIET_LOOP, afterCommitRetryMs: 10_000 } });
    const club = await makeClub(instance.dataSource);
    const entry = await cachedUnder(Tag.club(club.id));
    proxy.cut();
    let answered = false;
    const write = renameClub(instance.dataSource, club, 'Renamed across the blip').then(
      () => (answered = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answered).toBe(false);
    proxy.restore();
    await write;
    expect(await index.has(entry)).toBe(false);
    expect(await instance.drainer.pendingCount()).toBe(0);
  });

  it('counts a failed drain on the row and keeps it pending', async () => {
    const instance = await start(invalidator);
    const club = await makeClub(instance.dataSource);
    proxy.cut();
    await renameClub(instance.dataSource, club, 'Still down');

    await expect(instance.drainer.drainNow()).rejects.toBeInstanceOf(OutboxDrainError);
    await expect(instance.drainer.drainNow()).rejects.toBeInstanceOf(OutboxDrainError);

    const [row] = await pendingRows(instance.dataSource);
    expect(row.attempts).toBe(2);
    expect(row.last_error).toEqual(expect.any(String));
    expect(await instance.drainer.pendingCount()).toBe(1);
  });

  it('is drained by the background loop, without anyone asking, once Redis is back', async () => {
    const instance = await start(invalidator, { drainer: { pollIntervalMs: 20, maxBackoffMs: 40 } });
    const club = await makeClub(instance.dataSource);
    const entry = await cachedUnder(Tag.club(club.id));
    proxy.cut();
    await renameClub(instance.dataSource, club, 'Loop');
    // Let the loop fail a few times (and back off) before Redis returns.
    await eventually(async () => (await pendingRows(instance.dataSource))[0]?.attempts >= 2);

    proxy.restore();

    await eventually(async () => (await instance.drainer.pendingCount()) === 0);
    expect(await index.has(entry)).toBe(false);
  });

  it('returns the background loop to its interval when Redis is back, without finishing the outage backoff', async () => {
    const hooks: (() => Promise<void>)[] = [];
    const gate: ReadsResumeGate = { addRecoveryTask: (hook) => hooks.push(hook) };
    const instance = await start(invalidator, {
      drainer: { pollIntervalMs: 50, maxBackoffMs: 60_000 },
      gate,
    });
    const club = await makeClub(instance.dataSource);
    proxy.cut();
    await renameClub(instance.dataSource, club, 'Backing off');
    // Six failed passes: the next one would come 3.2 s after the last.
    await eventually(async () => (await pendingRows(instance.dataSource))[0]?.attempts >= 6, 10_000);
    proxy.restore();
    await eventually(() => proxiedRedis.isReady);
    await Promise.all(hooks.map((hook) => hook()));
    // A row another instance, still reconnecting, leaves behind after this one resumed reads.
    const late = await cachedUnder('club:late');
    await instance.dataSource.query('INSERT INTO cache_outbox (tags) VALUES ($1)', [['club:late']]);
    const left = Date.now();
    await eventually(async () => (await instance.drainer.pendingCount()) === 0, 5_000);
    // Sooner than the next backoff (50 ms doubled after each of six failed passes: 3.2 s),
    // which a drainer that had not resumed would wait for.
    expect(Date.now() - left).toBeLessThan(50 * 2 ** 6);
    expect(await index.has(late)).toBe(false);
  });

  it('drains every pending row through the reads-resume gate before reads use Redis again', async () => {
    const hooks: (() => Promise<void>)[] = [];
    const gate: ReadsResumeGate = { addRecoveryTask: (hook) => hooks.push(hook) };
    const instance = await start(invalidator, { drainer: QUIET_LOOP, gate });
    const [clubA, clubB] = [await makeClub(instance.dataSource), await makeClub(instance.dataSource)];
    const entries = [await cachedUnder(Tag.club(clubA.id)), await cachedUnder(Tag.club(clubB.id))];
    proxy.cut();
    await renameClub(instance.dataSource, clubA, 'A during the outage');
    await renameClub(instance.dataSource, clubB, 'B during the outage');
    expect(hooks).toHaveLength(1);

    proxy.restore();
    await eventually(() => proxiedRedis.isReady);
    // What the cache store does when its connection comes back, before it serves reads again.
    await Promise.all(hooks.map((hook) => hook()));

    for (const entry of entries) expect(await index.has(entry)).toBe(false);
    expect(await instance.drainer.pendingCount()).toBe(0);
  });
});

describe('when the process dies between commit and invalidation', () => {
  it('leaves the committed tags in the outbox, and a new instance invalidates them when it starts', async () => {
    const invalidator = new RecordingInvalidator(index);
    const dying = await start(invalidator);
    const kit = await makeKit(dying.dataSource);
    const [clubB, seasonT] = [await makeClub(dying.dataSource), await makeSeason(dying.dataSource)];
    const entries = [
      await cachedUnder(Tag.kit(kit.id)),
      await cachedUnder(Tag.clubKits(kit.teamId)),
      await cachedUnder(Tag.clubKits(clubB.id)),
      await cachedUnder(Tag.seasonKits(seasonT.id)),
    ];
    invalidator.reset();
    dying.dieAfterCommits();

    await dying.dataSource.transaction(async (manager) => {
      const loaded = await manager.findOneByOrFail(Kit, { id: kit.id });
      await manager.save(Object.assign(loaded, { teamId: clubB.id, seasonId: seasonT.id }));
    });

    const expected = sorted(
      kitChangeTags(
        { id: kit.id, teamId: kit.teamId, seasonId: kit.seasonId },
        { id: kit.id, teamId: clubB.id, seasonId: seasonT.id },
      ),
    );
    expect(invalidator.calls).toHaveLength(0);
    expect((await pendingRows(dying.dataSource)).map((row) => sorted(row.tags))).toEqual([expected]);
    for (const entry of entries) expect(await index.has(entry)).toBe(true);

    // A second instance (a restarted process): its start drains before it serves anything.
    const restarted = await start(invalidator);

    expect(invalidator.invalidated()).toEqual(expected);
    for (const entry of entries) expect(await index.has(entry)).toBe(false);
    expect(await restarted.drainer.pendingCount()).toBe(0);
  });

  it('drains what is pending once more when the instance shuts down', async () => {
    const invalidator = new RecordingInvalidator(index);
    const instance = await start(invalidator);
    const club = await makeClub(instance.dataSource);
    const entry = await cachedUnder(Tag.club(club.id));
    instance.dieAfterCommits();
    await renameClub(instance.dataSource, club, 'Before SIGTERM');
    expect(await instance.drainer.pendingCount()).toBe(1);

    await instances.splice(instances.indexOf(instance), 1)[0].close();

    expect(await index.has(entry)).toBe(false);
    expect(await outbox.count(await openDataSource())).toBe(0);
  });
});

describe('draining', () => {
  it('invalidates rows in batches of 100, each batch as one union of tags', async () => {
    const invalidator = new RecordingInvalidator(index);
    const instance = await start(invalidator);
    for (let n = 0; n < 250; n++) await outbox.insert(instance.dataSource, [`club:${n}`, 'search:clubs']);

    expect(await instance.drainer.drainNow()).toBe(250);

    expect(invalidator.calls.map((call) => call.tags.length)).toEqual([101, 101, 51]);
    expect(await instance.drainer.pendingCount()).toBe(0);
  });

  it('does not let a row Redis keeps refusing hold back the rows behind it', async () => {
    const refusing: TagInvalidator = {
      invalidateTags: async (tags) => {
        if (tags.includes('too-big')) throw new Error('command timed out');
        await index.invalidateTags(tags);
      },
    };
    const instance = await start(new RecordingInvalidator(refusing));
    const entries = [await cachedUnder('club:901'), await cachedUnder('club:902')];
    await outbox.insert(instance.dataSource, ['too-big']);
    await outbox.insert(instance.dataSource, ['club:901']);
    await outbox.insert(instance.dataSource, ['club:902']);

    // The oldest row fails first, before anything succeeded: that looks like an outage.
    await expect(instance.drainer.drainNow()).rejects.toBeInstanceOf(OutboxDrainError);
    expect(await instance.drainer.pendingCount()).toBe(3);
    // It has been tried more often now, so the next pass takes the others first.
    await expect(instance.drainer.drainNow()).rejects.toBeInstanceOf(OutboxDrainError);

    for (const entry of entries) expect(await index.has(entry)).toBe(false);
    expect(await pendingRows(instance.dataSource)).toEqual([
      { tags: ['too-big'], attempts: 2, last_error: 'Error: command timed out' },
    ]);
  });

  it('lets two instances drain side by side without invalidating a row twice', async () => {
    const invalidator = new RecordingInvalidator(index);
    const [first, second] = [await start(invalidator), await start(invalidator)];
    for (let n = 0; n < 400; n++) await outbox.insert(first.dataSource, [`row:${n}`]);

    const [a, b] = await Promise.all([first.drainer.drainNow(), second.drainer.drainNow()]);

    expect(a + b).toBe(400);
    const tags = invalidator.calls.flatMap((call) => call.tags);
    expect(tags).toHaveLength(400);
    expect(new Set(tags).size).toBe(400);
  });

  it('skips rows another drainer holds, but drainBeforeReadsResume() waits for them', async () => {
    const invalidator = new RecordingInvalidator(index);
    const instance = await start(invalidator);
    await outbox.insert(instance.dataSource, ['club:1']);
    // Another instance's drainer, mid-way through this row.
    const other = instance.dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query('SELECT id FROM cache_outbox FOR UPDATE');

    expect(await instance.drainer.drainNow()).toBe(0);

    let settled = false;
    const resume = instance.drainer.drainBeforeReadsResume().finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);

    // The other drainer failed to invalidate and let go of the row: this one takes it over.
    await other.commitTransaction();
    await other.release();

    expect(await resume).toBe(1);
    expect(invalidator.invalidated()).toEqual(['club:1']);
    expect(await instance.drainer.pendingCount()).toBe(0);
  });
});

let extraDataSource: DataSource | undefined;
async function openDataSource(): Promise<DataSource> {
  if (!extraDataSource) {
    extraDataSource = new DataSource({ type: 'postgres', url: db.url });
    await extraDataSource.initialize();
  }
  return extraDataSource;
}
afterAll(async () => {
  await extraDataSource?.destroy();
});
