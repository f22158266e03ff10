import { Kit } from '../../src/kits/kit.entity';
import { makeKit } from '../factories/catalog';
import { countQueries } from '../utils/query-counter';
import { leaseRedisDb, TestRedisDb } from '../utils/redis-db';
import { startTestApp, TestApp } from '../utils/test-app';

const CONCURRENT = 500;

/** Statements that read the kit detail (the one query of a kit detail miss). */
const detailQueries = (statements: string[]) =>
  statements.filter((sql) => /FROM "kits"/i.test(sql) && /WHERE/i.test(sql));

describe('stampede: many concurrent misses on one cold key', () => {
  let redis: TestRedisDb;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    redis = await leaseRedisDb();
    a = await startTestApp({ REDIS_URL: redis.url, DATABASE_POOL_SIZE: '4' }, { listen: true });
    b = await startTestApp(
      { REDIS_URL: redis.url, DATABASE_POOL_SIZE: '4' },
      { listen: true, database: a.db },
    );
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await redis.release();
  });

  async function burst(apps: TestApp[], kit: Kit): Promise<number[]> {
    const requests = Array.from({ length: CONCURRENT }, (_, i) =>
      fetch(`${apps[i % apps.length].baseUrl}/api/kits/${kit.id}`).then(async (res) => {
        expect(((await res.json()) as { name: string }).name).toBe(kit.name);
        return res.status;
      }),
    );
    return Promise.all(requests);
  }

  it(`sends one database query for ${CONCURRENT} concurrent requests in one process`, async () => {
    const kit = await makeKit(a.dataSource);
    const { statements } = await countQueries(a.dataSource, async () => {
      const statuses = await burst([a], kit);
      expect(statuses.every((status) => status === 200)).toBe(true);
    });
    expect(detailQueries(statements)).toHaveLength(1);
  });

  it(`sends at most one query per process for ${CONCURRENT} requests spread over two`, async () => {
    const kit = await makeKit(a.dataSource);
    let onB: string[] = [];
    const onA = await countQueries(a.dataSource, async () => {
      onB = (
        await countQueries(b.dataSource, async () => {
          const statuses = await burst([a, b], kit);
          expect(statuses.every((status) => status === 200)).toBe(true);
        })
      ).statements;
    });
    const total = detailQueries(onA.statements).length + detailQueries(onB).length;
    expect(total).toBeGreaterThanOrEqual(1);
    expect(total).toBeLessThanOrEqual(2);
  });
});
