import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { generateCatalog, GeneratedCatalog, KitRow } from '../../src/database/seed/catalog-generator';
import { CatalogCounts, truncateCatalog, writeCatalog } from '../../src/database/seed/catalog-writer';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

const KITS = 2000;
const SEED = 'seed-spec';

async function openDatabase(): Promise<{ db: TestDatabase; dataSource: DataSource }> {
  const db = await createTestDatabase();
  const dataSource = new DataSource(dataSourceOptions(db.url, 2));
  await dataSource.initialize();
  return { db, dataSource };
}

async function count(dataSource: DataSource, table: string): Promise<number> {
  const [{ n }] = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}

function seed(dataSource: DataSource, catalog: GeneratedCatalog): Promise<CatalogCounts> {
  return dataSource.transaction((manager) => writeCatalog(manager, catalog, { batchSize: 700 }));
}

describe('catalogue generator written to PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let catalog: GeneratedCatalog;
  let counts: CatalogCounts;
  const progress: [number, number][] = [];

  beforeAll(async () => {
    ({ db, dataSource } = await openDatabase());
    catalog = generateCatalog({ kits: KITS, seed: SEED });
    counts = await dataSource.transaction((manager) =>
      writeCatalog(manager, catalog, {
        batchSize: 700,
        onProgress: (done, total) => progress.push([done, total]),
      }),
    );
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('writes the requested kits, one club per ten kits, and the rows they refer to', async () => {
    expect(counts).toEqual({
      seasons: 45,
      kitTypes: 8,
      brands: catalog.brands.length,
      competitions: catalog.competitions.length,
      clubs: 200,
      kits: KITS,
      kitCompetitions: expect.any(Number),
      kitSecondaryColors: expect.any(Number),
    });
    expect(await count(dataSource, 'kits')).toBe(KITS);
    expect(await count(dataSource, 'clubs')).toBe(200);
    expect(await count(dataSource, 'seasons')).toBe(45);
    expect(await count(dataSource, 'kit_types')).toBe(8);
    expect(await count(dataSource, 'brands')).toBe(catalog.brands.length);
    expect(await count(dataSource, 'competitions')).toBe(catalog.competitions.length);
    expect(await count(dataSource, 'kit_competitions')).toBe(counts.kitCompetitions);
    expect(await count(dataSource, 'kit_secondary_colors')).toBe(counts.kitSecondaryColors);
    expect(counts.kitCompetitions).toBeGreaterThan(KITS / 2);
    expect(counts.kitSecondaryColors).toBeGreaterThan(KITS / 2);
  });

  it('reports progress after each batch of kits', () => {
    expect(progress).toEqual([
      [0, KITS],
      [700, KITS],
      [1400, KITS],
      [2000, KITS],
    ]);
  });

  it('stores the kits in the order generated, so the same seed gives the same first rows', async () => {
    const rows = await dataSource.query<
      { id: number; name: string; slug: string; team: string; year: string; type: string; design: string }[]
    >(
      `SELECT k.id, k.name, k.slug, c.name AS team, s.year, t.name AS type, k.design
       FROM kits k JOIN clubs c ON c.id = k.team_id JOIN seasons s ON s.id = k.season_id
       JOIN kit_types t ON t.id = k.type_id
       ORDER BY k.id LIMIT 5`,
    );
    const again = generateCatalog({ kits: KITS, seed: SEED });
    const expected: KitRow[] = [];
    for (const kit of again.kits()) {
      expected.push(kit);
      if (expected.length === 5) break;
    }
    expect(rows).toEqual(
      expected.map((kit, i) => ({
        id: i + 1,
        name: kit.name,
        slug: kit.slug,
        team: again.clubs[kit.club].name,
        year: again.seasons[kit.season].year,
        type: again.kitTypes[kit.type].name,
        design: kit.design,
      })),
    );
  });

  it('keeps every reference whole: kit names, slugs and links agree with the rows they point to', async () => {
    const [broken] = await dataSource.query<{ names: number; slugs: number; duplicates: number }[]>(
      `SELECT
         count(*) FILTER (WHERE k.name <> c.name || ' ' || s.year || ' ' || t.name)::int AS names,
         count(*) FILTER (WHERE k.slug NOT LIKE replace(c.slug, '-kits', '') || '-' || s.year || '-%-kit')::int AS slugs,
         (SELECT count(*) FROM (SELECT 1 FROM kits GROUP BY team_id, season_id, type_id HAVING count(*) > 1) d)::int
           AS duplicates
       FROM kits k JOIN clubs c ON c.id = k.team_id JOIN seasons s ON s.id = k.season_id
       JOIN kit_types t ON t.id = k.type_id`,
    );
    expect(broken).toEqual({ names: 0, slugs: 0, duplicates: 0 });

    const [links] = await dataSource.query<
      { off_match: number; primary_twice: number; no_primary: number }[]
    >(
      `SELECT
         (SELECT count(*) FROM kit_competitions kc JOIN kits k ON k.id = kc.kit_id
            JOIN kit_types t ON t.id = k.type_id WHERE t.category <> 'match')::int AS off_match,
         (SELECT count(*) FROM kit_secondary_colors sc JOIN kits k ON k.id = sc.kit_id
            WHERE sc.color_id = k.primary_color_id)::int AS primary_twice,
         (SELECT count(*) FROM kits WHERE primary_color_id IS NULL OR design IS NULL)::int AS no_primary`,
    );
    expect(links).toEqual({ off_match: 0, primary_twice: 0, no_primary: 0 });
  });

  it('creates the kit types with the reference categorisation', async () => {
    const types = await dataSource.query<unknown[]>(
      'SELECT name, category, category_order, order_priority, is_goalkeeper FROM kit_types ORDER BY id',
    );
    expect(types).toEqual([
      { name: 'Home', category: 'match', category_order: 1, order_priority: 1, is_goalkeeper: false },
      { name: 'Away', category: 'match', category_order: 1, order_priority: 2, is_goalkeeper: false },
      { name: 'Third', category: 'match', category_order: 1, order_priority: 3, is_goalkeeper: false },
      { name: 'GK Home', category: 'match', category_order: 1, order_priority: 1, is_goalkeeper: true },
      { name: 'GK Away', category: 'match', category_order: 1, order_priority: 2, is_goalkeeper: true },
      {
        name: 'Training',
        category: 'training',
        category_order: 4,
        order_priority: 999,
        is_goalkeeper: false,
      },
      {
        name: 'Pre-Match',
        category: 'prematch',
        category_order: 2,
        order_priority: 999,
        is_goalkeeper: false,
      },
      { name: 'Rain Jacket', category: 'jacket', category_order: 6, order_priority: 2, is_goalkeeper: false },
    ]);
  });

  it('holds everything GET /api/kits/{id} shows for a kit', async () => {
    const [kit] = await dataSource.query<Record<string, unknown>[]>(
      `SELECT k.name, k.main_img_url, k.rating::float AS rating, k.design, c.slug AS team_slug, c.country,
              s.first_year, b.name AS brand, p.name AS primary_color,
              (SELECT count(*) FROM kit_competitions WHERE kit_id = k.id)::int AS competitions
       FROM kits k JOIN clubs c ON c.id = k.team_id JOIN seasons s ON s.id = k.season_id
       JOIN brands b ON b.id = k.brand_id JOIN colors p ON p.id = k.primary_color_id
       WHERE k.id = 1`,
    );
    expect(kit).toEqual({
      name: expect.stringMatching(/ \d{4}-\d{2} Home$/),
      main_img_url: expect.stringMatching(/^https:\/\/img\.example\.com\/kits\/[a-z0-9-]+-kit\.jpg$/),
      rating: expect.any(Number),
      design: expect.any(String),
      team_slug: expect.stringMatching(/-kits$/),
      country: expect.stringMatching(/^[A-Z]{2}$/),
      first_year: expect.stringMatching(/^\d{4}$/),
      brand: expect.any(String),
      primary_color: expect.any(String),
      competitions: expect.any(Number),
    });
    expect(kit.competitions).toBeGreaterThan(0);
  });

  it('finds accented club names by their unaccented spelling through the search expression', async () => {
    const accented = catalog.clubs.find((c) => /[À-ž]/.test(c.name))!;
    const plain = accented.name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase();
    const rows = await dataSource.query<{ name: string }[]>(
      `SELECT name FROM clubs WHERE fkapi_unaccent(lower(name)) LIKE '%' || fkapi_unaccent(lower($1)) || '%'`,
      [plain],
    );
    expect(rows.map((r) => r.name)).toContain(accented.name);
  });
});

describe('writing a catalogue next to existing rows', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeEach(async () => {
    ({ db, dataSource } = await openDatabase());
  });

  afterEach(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('reuses seasons, kit types and clubs that already exist instead of duplicating them', async () => {
    const catalog = generateCatalog({ kits: 300, seed: 'first' });
    await dataSource.query(
      `INSERT INTO seasons (year, first_year, second_year) VALUES ('2024-25', '2024', '2025')`,
    );
    await dataSource.query(
      `INSERT INTO kit_types (name, category, category_order, order_priority, is_goalkeeper)
       VALUES ('Home', 'match', 1, 1, false)`,
    );
    const club = catalog.clubs[0];
    await dataSource.query(`INSERT INTO clubs (name, slug) VALUES ($1, $2)`, [club.name, club.slug]);

    await seed(dataSource, catalog);
    expect(await count(dataSource, 'seasons')).toBe(45);
    expect(await count(dataSource, 'kit_types')).toBe(8);
    expect(await count(dataSource, 'clubs')).toBe(catalog.clubs.length);
    const [{ kits }] = await dataSource.query<{ kits: number }[]>(
      `SELECT count(*)::int AS kits FROM kits WHERE team_id = (SELECT id FROM clubs WHERE slug = $1)`,
      [club.slug],
    );
    expect(kits).toBe([...catalog.kits()].filter((k) => k.club === 0).length);
  });

  it('empties the catalogue on truncate, keeps the colours, and numbers new rows from 1 again', async () => {
    await seed(dataSource, generateCatalog({ kits: 200, seed: 'before' }));
    await dataSource.transaction((manager) => truncateCatalog(manager));
    for (const table of [
      'kits',
      'clubs',
      'seasons',
      'kit_types',
      'brands',
      'competitions',
      'kit_competitions',
    ]) {
      expect(await count(dataSource, table)).toBe(0);
    }
    expect(await count(dataSource, 'colors')).toBe(17);
    await seed(dataSource, generateCatalog({ kits: 50, seed: 'after' }));
    const [{ min, max }] = await dataSource.query<{ min: number; max: number }[]>(
      'SELECT min(id) AS min, max(id) AS max FROM kits',
    );
    expect([min, max]).toEqual([1, 50]);
  });
});
