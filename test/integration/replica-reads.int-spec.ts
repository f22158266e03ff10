import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { Kit } from '../../src/kits/kit.entity';
import { WATERMARK_KEY } from '../../src/database/invalidation-watermark';
import { ReplicaMetrics } from '../../src/metrics/replica-metrics';
import { makeBrand, makeClub, makeKit, makeKitType, makeSeason } from '../factories/catalog';
import { sleep } from '../chaos/harness/ports';
import { startPgReplicaPair, PgReplicaPair } from '../utils/pg-replication';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { adminHeaders, startTestApp, TestApp } from '../utils/test-app';

/** `fkapi_db_reads_total` as a map `target/reason` → count (one app per process here). */
async function readCounts(t: TestApp): Promise<Map<string, number>> {
  const { values } = await t.app.get(ReplicaMetrics).reads.get();
  return new Map(values.map((v) => [`${v.labels.target}/${v.labels.reason}`, v.value]));
}

function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after)
    if (value !== (before.get(key) ?? 0)) out[key] = value - (before.get(key) ?? 0);
  return out;
}

const sum = (counts: Record<string, number>, target: string): number =>
  Object.entries(counts)
    .filter(([key]) => key.startsWith(`${target}/`))
    .reduce((total, [, n]) => total + n, 0);

describe('reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URLS)', () => {
  let pair: PgReplicaPair;
  let redis: TestRedisDb;
  let t: TestApp;
  const kits: Kit[] = [];

  beforeAll(async () => {
    pair = await startPgReplicaPair();
    redis = await leaseRedisDb();
    t = await startTestApp(
      { REDIS_URL: redis.url, DATABASE_REPLICA_URLS: pair.replicaUrl },
      { database: pair.database },
    );
    const [team, season, type, brand] = [
      await makeClub(t.dataSource),
      await makeSeason(t.dataSource),
      await makeKitType(t.dataSource),
      await makeBrand(t.dataSource),
    ];
    for (let i = 0; i < 40; i++) kits.push(await makeKit(t.dataSource, { team, season, type, brand }));
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await redis?.release();
    await pair?.stop();
  }, 60_000);

  it('serves at least 80 % of cache-miss reads from a caught-up replica, with the data the primary has', async () => {
    await pair.waitForCatchUp();
    const before = await readCounts(t);
    for (const kit of kits) {
      const res = await t.request({ url: `/api/kits/${kit.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: kit.id, name: kit.name });
    }
    const counts = delta(before, await readCounts(t));
    process.stdout.write(`caught-up replica, ${kits.length} kit misses: ${JSON.stringify(counts)}\n`);
    const replica = sum(counts, 'replica');
    expect(replica + sum(counts, 'primary')).toBeGreaterThanOrEqual(kits.length);
    expect(replica / (replica + sum(counts, 'primary'))).toBeGreaterThanOrEqual(0.8);
  });

  it('sends the reads after an invalidation to the primary while the replica has not replayed it', async () => {
    await pair.setApplyDelay(3000);
    // The delay is in force once a commit stays invisible on the replica for a while.
    const probe = new Client({ connectionString: pair.database.url });
    await probe.connect();
    try {
      await probe.query('CREATE TABLE IF NOT EXISTS lag_probe (n int)');
      await pair.waitForCatchUp();
      for (let n = 1; ; n++) {
        await probe.query('INSERT INTO lag_probe VALUES ($1)', [n]);
        await sleep(300);
        const seen = await pair.queryReplica('SELECT 1 FROM lag_probe WHERE n = $1', [n]);
        if (seen.length === 0) break;
        expect(n).toBeLessThan(50);
      }
    } finally {
      await probe.end();
    }

    const kit = kits[0];
    expect((await t.request({ url: `/api/kits/${kit.id}` })).json()).toMatchObject({ name: kit.name });
    const before = await readCounts(t);
    const renamed = `${kit.name} renamed`;
    const written = performance.now();
    const patch = await t.request({
      method: 'PATCH',
      url: `/api/kits/${kit.id}`,
      headers: adminHeaders,
      body: { name: renamed },
    });
    expect(patch.statusCode).toBe(200);
    const read = await t.request({ url: `/api/kits/${kit.id}` });
    const readAt = performance.now();
    expect(read.json()).toMatchObject({ id: kit.id, name: renamed });

    // The replica did not have the write yet when the read was served.
    const [onReplica] = await pair.queryReplica<{ name: string }>('SELECT name FROM kits WHERE id = $1', [
      kit.id,
    ]);
    if (performance.now() - written < 3000) expect(onReplica.name).toBe(kit.name);
    const counts = delta(before, await readCounts(t));
    process.stdout.write(
      `lagging replica (3 s apply delay), read ${Math.round(readAt - written)} ms after the write: ${JSON.stringify(counts)}\n`,
    );
    expect(counts['primary/lagging']).toBeGreaterThanOrEqual(1);
    expect(sum(counts, 'replica')).toBe(0);

    // Once the replica has replayed the write, misses go back to it.
    await pair.setApplyDelay(0);
    await pair.waitForCatchUp();
    const [replayed] = await pair.queryReplica<{ name: string }>('SELECT name FROM kits WHERE id = $1', [
      kit.id,
    ]);
    expect(replayed.name).toBe(renamed);
    const later = await readCounts(t);
    for (
      let attempt = 0;
      attempt < 100 && sum(delta(later, await readCounts(t)), 'replica') === 0;
      attempt++
    ) {
      await t.request({ url: `/api/kits/search?keyword=replica${attempt}` });
      await sleep(30);
    }
    expect(sum(delta(later, await readCounts(t)), 'replica')).toBeGreaterThan(0);
  }, 120_000);

  it('reads from the primary while Redis holds no watermark, and seeds it from the primary', async () => {
    const primaryPosition = async (): Promise<bigint> => {
      const [{ lsn }] = await t.dataSource.query<{ lsn: string }[]>(
        'SELECT pg_current_wal_insert_lsn()::text AS lsn',
      );
      const [high, low] = lsn.split('/').map((part) => BigInt(`0x${part}`));
      return (high << 32n) | low;
    };
    await pair.waitForCatchUp();
    await redis.client.del(WATERMARK_KEY);
    const floor = await primaryPosition();
    const before = await readCounts(t);
    const res = await t.request({ url: '/api/kits/search?keyword=nowatermark' });
    expect(res.statusCode).toBe(200);
    expect(delta(before, await readCounts(t))).toEqual({ 'primary/unknown': expect.any(Number) as number });
    for (let attempt = 0; attempt < 100 && (await redis.client.get(WATERMARK_KEY)) === null; attempt++)
      await sleep(20);
    const seeded = BigInt(`0x${await redis.client.get(WATERMARK_KEY)}`);
    expect(seeded).toBeGreaterThanOrEqual(floor);
    expect(seeded).toBeLessThanOrEqual(await primaryPosition());
  });
});
