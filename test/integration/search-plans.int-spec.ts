import { DataSource, Logger } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { Brand } from '../../src/brands/brand.entity';
import { BrandsRepository } from '../../src/brands/brands.repository';
import { BrandsService } from '../../src/brands/brands.service';
import { Club } from '../../src/clubs/club.entity';
import { ClubsRepository } from '../../src/clubs/clubs.repository';
import { ClubsService } from '../../src/clubs/clubs.service';
import { Color } from '../../src/colors/color.entity';
import { ColorsRepository } from '../../src/colors/colors.repository';
import { ColorsService } from '../../src/colors/colors.service';
import { Competition } from '../../src/competitions/competition.entity';
import { CompetitionsRepository } from '../../src/competitions/competitions.repository';
import { CompetitionsService } from '../../src/competitions/competitions.service';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { generateCatalog, GeneratedCatalog } from '../../src/database/seed/catalog-generator';
import { writeCatalog } from '../../src/database/seed/catalog-writer';
import { KitType } from '../../src/kit-types/kit-type.entity';
import { KitTypesRepository } from '../../src/kit-types/kit-types.repository';
import { KitTypesService } from '../../src/kit-types/kit-types.service';
import { Kit } from '../../src/kits/kit.entity';
import { KitsRepository } from '../../src/kits/kits.repository';
import { KitsService } from '../../src/kits/kits.service';
import { Season } from '../../src/seasons/season.entity';
import { SeasonsRepository } from '../../src/seasons/seasons.repository';
import { SeasonsService } from '../../src/seasons/seasons.service';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/**
 * Every search must be able to read its trigram index: the index only serves a query whose
 * expression is exactly the indexed one (`fkapi_unaccent(lower(name))`), so a change to either
 * side that makes them differ turns each search into a sequential scan — silently, as results
 * stay the same. The services are built with `new` (no cache), the statements they send are
 * captured and EXPLAINed with their parameters. On a few thousand rows the planner may prefer a
 * sequential scan, so it is switched off: the question is whether the index *can* serve the SQL.
 */

interface Statement {
  sql: string;
  parameters: unknown[];
}

const KITS = 3000;

/** Records every statement sent through the data source, with its parameters. */
class CapturingLogger implements Logger {
  statements: Statement[] = [];
  logQuery(query: string, parameters?: unknown[]): void {
    this.statements.push({ sql: query, parameters: parameters ?? [] });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

describe('search SQL and trigram indexes', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let explainer: DataSource;
  let catalog: GeneratedCatalog;
  const logger = new CapturingLogger();
  let clubs: ClubsService;
  let brands: BrandsService;
  let competitions: CompetitionsService;
  let seasons: SeasonsService;
  let kits: KitsService;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource({ ...dataSourceOptions(db.url, 1), logging: ['query'], logger });
    explainer = new DataSource(dataSourceOptions(db.url, 1));
    await Promise.all([dataSource.initialize(), explainer.initialize()]);
    catalog = generateCatalog({ kits: KITS, seed: 'search-plans' });
    await explainer.transaction((manager) => writeCatalog(manager, catalog));
    await explainer.query('ANALYZE');

    const clubsRepository = new ClubsRepository(dataSource.getRepository(Club), dataSource);
    clubs = new ClubsService(clubsRepository);
    brands = new BrandsService(new BrandsRepository(dataSource.getRepository(Brand), dataSource));
    competitions = new CompetitionsService(
      new CompetitionsRepository(dataSource.getRepository(Competition), dataSource),
    );
    seasons = new SeasonsService(
      new SeasonsRepository(dataSource.getRepository(Season), dataSource),
      clubsRepository,
    );
    const config = { databasePreparedStatements: true } as AppConfig;
    kits = new KitsService(
      new KitsRepository(dataSource.getRepository(Kit), dataSource, config),
      clubsRepository,
      new KitTypesService(new KitTypesRepository(dataSource.getRepository(KitType), dataSource)),
      new ColorsService(new ColorsRepository(dataSource.getRepository(Color), dataSource)),
    );
  });

  afterAll(async () => {
    await Promise.all([dataSource?.destroy(), explainer?.destroy()]);
    await db?.drop();
  });

  /** The statements one search sends, and what it returned. */
  async function capture<T>(search: () => Promise<T[]>): Promise<{ results: T[]; statements: Statement[] }> {
    logger.statements = [];
    const results = await search();
    return { results, statements: [...logger.statements] };
  }

  /** The plan of a captured statement with sequential scans disabled (see the file's comment). */
  async function planOf({ sql, parameters }: Statement): Promise<string> {
    return explainer.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      const rows = await manager.query<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, parameters);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  const longestWord = (name: string): string =>
    name.split(' ').reduce((best, word) => (word.length > best.length ? word : best), '');

  describe.each([
    ['clubs', () => catalog.clubs[7].name, (k: string) => clubs.searchClubs(k)],
    ['brands', () => catalog.brands[3].name, (k: string) => brands.searchBrands(k)],
    ['competitions', () => catalog.competitions[11].name, (k: string) => competitions.searchCompetitions(k)],
  ] as const)('%s search', (table, keywordOf, search) => {
    it(`reads idx_${table}_name_trgm and idx_${table}_slug_trgm, for a name, a typo and an accent-free spelling`, async () => {
      const name = keywordOf();
      const word = longestWord(name).toLowerCase();
      const typo = word.slice(0, 2) + word[3] + word[2] + word.slice(4);
      const unaccented = name.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
      for (const keyword of [name, typo, unaccented]) {
        const { results, statements } = await capture(() => search(keyword));
        expect(statements).toHaveLength(1);
        const plan = await planOf(statements[0]);
        expect(plan).toContain(`Bitmap Index Scan on idx_${table}_name_trgm`);
        expect(plan).toContain(`Bitmap Index Scan on idx_${table}_slug_trgm`);
        expect(plan).not.toContain(`Seq Scan on ${table}`);
        if (keyword !== typo) expect(results.length).toBeGreaterThan(0);
      }
    });
  });

  it('season search reads the trigram indexes of first_year and second_year for a four-digit year', async () => {
    const { results, statements } = await capture(() => seasons.searchSeasons('2003'));
    expect(results.map((s) => s.year)).toEqual(['2003-04', '2002-03']);
    expect(statements).toHaveLength(1);
    const plan = await planOf(statements[0]);
    expect(plan).toContain('Bitmap Index Scan on idx_seasons_first_year_trgm');
    expect(plan).toContain('Bitmap Index Scan on idx_seasons_second_year_trgm');
    expect(plan).not.toContain('Seq Scan on seasons');
  });

  it('season search reads a trigram index for a keyword that is not a year ("200")', async () => {
    const { results, statements } = await capture(() => seasons.searchSeasons('200'));
    expect(results.length).toBeGreaterThan(0);
    const plan = await planOf(statements[0]);
    expect(plan).toMatch(/Bitmap Index Scan on idx_seasons_(year|first_year|second_year)_trgm/);
    expect(plan).not.toContain('Seq Scan on seasons');
  });

  it('kit search reads idx_kits_name_trgm in every name tier it tries', async () => {
    const club = catalog.clubs[5].name;
    const word = longestWord(club).toLowerCase();
    const year = catalog.seasons[10].firstYear;
    // A club name; two words; a word and a year; a slip that finds nothing, so all three tiers run.
    const cases: [string, number][] = [
      [club, 1],
      [`${word} home`, 1],
      [`${word} ${year}`, 1],
      [`${word}x zzqq`, 3],
    ];
    for (const [keyword, tiers] of cases) {
      const { statements } = await capture(() => kits.searchKits(keyword));
      expect(statements.length).toBeGreaterThanOrEqual(tiers);
      for (const statement of statements) {
        const plan = await planOf(statement);
        expect(plan).toContain('Bitmap Index Scan on idx_kits_name_trgm');
        expect(plan).not.toContain('Seq Scan on kits');
      }
    }
  });

  it('keeps every trigram index free of a GIN pending list (fastupdate off)', async () => {
    const rows = await explainer.query<{ relname: string; reloptions: string[] | null }[]>(
      `SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_opclass o ON o.oid = ANY (i.indclass) WHERE o.opcname = 'gin_trgm_ops' ORDER BY c.relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual([
      'idx_brands_name_trgm',
      'idx_brands_slug_trgm',
      'idx_clubs_name_trgm',
      'idx_clubs_slug_trgm',
      'idx_competitions_name_trgm',
      'idx_competitions_slug_trgm',
      'idx_kits_name_trgm',
      'idx_seasons_first_year_trgm',
      'idx_seasons_second_year_trgm',
      'idx_seasons_year_trgm',
    ]);
    for (const row of rows) expect(row.reloptions).toContain('fastupdate=off');
  });
});
