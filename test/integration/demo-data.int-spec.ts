import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DEMO_CATALOG, loadDemoDataOnce } from '../../src/database/seed/demo-data';
import { makeKit } from '../factories/catalog';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { startTestApp, TestApp } from '../utils/test-app';

async function countKits(dataSource: DataSource): Promise<number> {
  const [{ n }] = await dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM kits');
  return n;
}

describe('loadDemoDataOnce', () => {
  describe('on an empty database behind the real app', () => {
    let t: TestApp;
    let first: Awaited<ReturnType<typeof loadDemoDataOnce>>;
    let second: Awaited<ReturnType<typeof loadDemoDataOnce>>;

    beforeAll(async () => {
      t = await startTestApp();
      first = await loadDemoDataOnce(t.dataSource);
      second = await loadDemoDataOnce(t.dataSource);
    });
    afterAll(async () => t.close());

    it('loads the demo catalogue the first time and reports its size', async () => {
      expect(first).toEqual({ kits: DEMO_CATALOG.kits, clubs: DEMO_CATALOG.clubs });
      expect(await countKits(t.dataSource)).toBe(DEMO_CATALOG.kits);
    });

    it('returns null the second time and adds nothing', async () => {
      expect(second).toBeNull();
      expect(await countKits(t.dataSource)).toBe(DEMO_CATALOG.kits);
    });

    it('makes GET /api/kits/1 answer with a kit', async () => {
      const [kit] = await t.dataSource.query<{ name: string; slug: string }[]>(
        'SELECT name, slug FROM kits WHERE id = 1',
      );
      const res = await t.request({ url: '/api/kits/1' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: kit.name, slug: kit.slug });
    });

    it('holds national sides with single-year seasons next to the club seasons', async () => {
      const seasons = await t.dataSource.query<{ year: string; kits: number }[]>(
        `SELECT s.year, count(k.id)::int AS kits FROM seasons s LEFT JOIN kits k ON k.season_id = s.id
         GROUP BY s.year ORDER BY s.year`,
      );
      expect(seasons.map((s) => s.year)).toEqual([
        '2019-20',
        '2020',
        '2020-21',
        '2021-22',
        '2022',
        '2022-23',
        '2023-24',
        '2024',
        '2024-25',
      ]);
      expect(seasons.filter((s) => s.year.length === 4).reduce((sum, s) => sum + s.kits, 0)).toBeGreaterThan(
        0,
      );
    });
  });

  describe('on a database of its own', () => {
    let db: TestDatabase;
    let dataSource: DataSource;

    beforeEach(async () => {
      db = await createTestDatabase();
      dataSource = new DataSource(dataSourceOptions(db.url, 4));
      await dataSource.initialize();
    });
    afterEach(async () => {
      await dataSource.destroy();
      await db.drop();
    });

    it('leaves a database that already has a kit alone', async () => {
      await makeKit(dataSource);
      expect(await loadDemoDataOnce(dataSource)).toBeNull();
      expect(await countKits(dataSource)).toBe(1);
    });

    it('loads once when two processes start on the same empty database together', async () => {
      const other = new DataSource(dataSourceOptions(db.url, 2));
      await other.initialize();
      try {
        const results = await Promise.all([loadDemoDataOnce(dataSource), loadDemoDataOnce(other)]);
        expect(results.filter((r) => r !== null)).toHaveLength(1);
        expect(await countKits(dataSource)).toBe(DEMO_CATALOG.kits);
      } finally {
        await other.destroy();
      }
    });
  });
});
