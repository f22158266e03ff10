import { EntityManager } from 'typeorm';
import { GeneratedCatalog, KitRow } from './catalog-generator';

/**
 * Puts a generated catalogue into PostgreSQL, in the caller's transaction. Rows go in batches
 * of one `INSERT … SELECT FROM unnest($1::text[], …)` each: one round trip and one parse per
 * few thousand rows, about as fast as COPY without another dependency.
 *
 * This is a bulk load, so it deliberately bypasses the entity layer (and with it the cache
 * invalidation subscriber): whoever runs it on a live database drops the cache afterwards.
 *
 * Seasons, kit types, brands, competitions and clubs that already exist (same year, name or
 * slug) are reused; kits are always new rows.
 */

export interface CatalogCounts {
  seasons: number;
  kitTypes: number;
  brands: number;
  competitions: number;
  clubs: number;
  kits: number;
  kitCompetitions: number;
  kitSecondaryColors: number;
}

export interface WriteOptions {
  /** Rows per statement. */
  batchSize?: number;
  /** Called after each batch of kits. */
  onProgress?: (kitsWritten: number, kitsTotal: number) => void;
}

export const DEFAULT_BATCH_SIZE = 5000;

/** The catalogue tables, children first. Colours are reference data from the migration and stay. */
export const CATALOG_TABLES = [
  'kit_secondary_colors',
  'kit_competitions',
  'kits',
  'clubs',
  'brands',
  'competitions',
  'seasons',
  'kit_types',
] as const;

export async function writeCatalog(
  manager: EntityManager,
  catalog: GeneratedCatalog,
  { batchSize = DEFAULT_BATCH_SIZE, onProgress }: WriteOptions = {},
): Promise<CatalogCounts> {
  const ids = await writeReferencedRows(manager, catalog, batchSize);

  const counts: CatalogCounts = {
    seasons: catalog.seasons.length,
    kitTypes: catalog.kitTypes.length,
    brands: catalog.brands.length,
    competitions: catalog.competitions.length,
    clubs: catalog.clubs.length,
    kits: 0,
    kitCompetitions: 0,
    kitSecondaryColors: 0,
  };
  let batch: KitRow[] = [];
  onProgress?.(0, catalog.kitCount);
  for (const kit of catalog.kits()) {
    batch.push(kit);
    if (batch.length === batchSize) {
      await insertKits(manager, batch, ids, counts);
      batch = [];
      onProgress?.(counts.kits, catalog.kitCount);
    }
  }
  if (batch.length > 0) {
    await insertKits(manager, batch, ids, counts);
    onProgress?.(counts.kits, catalog.kitCount);
  }
  return counts;
}

/** Every row kits refer to (seasons, kit types, brands, competitions, clubs), with the ids they got. */
async function writeReferencedRows(manager: EntityManager, catalog: GeneratedCatalog, batchSize: number) {
  const colorIds = await loadColorIds(manager);
  const seasonIds = await upsertByKey(
    manager,
    'seasons',
    'year',
    catalog.seasons.map((s) => s.year),
    [
      ['year', 'text', catalog.seasons.map((s) => s.year)],
      ['first_year', 'text', catalog.seasons.map((s) => s.firstYear)],
      ['second_year', 'text', catalog.seasons.map((s) => s.secondYear)],
    ],
    batchSize,
  );
  const kitTypeIds = await insertKitTypes(manager, catalog);
  const brandIds = await upsertNamed(manager, 'brands', catalog.brands, [], batchSize);
  const competitionIds = await upsertNamed(
    manager,
    'competitions',
    catalog.competitions,
    [['country', 'text', catalog.competitions.map((c) => c.country)]],
    batchSize,
  );
  const clubIds = await upsertNamed(
    manager,
    'clubs',
    catalog.clubs,
    [
      ['country', 'text', catalog.clubs.map((c) => c.country)],
      ['id_fka', 'integer', catalog.clubs.map((c) => c.idFka)],
    ],
    batchSize,
  );
  return { colorIds, seasonIds, kitTypeIds, brandIds, competitionIds, clubIds };
}

/** Empties the catalogue tables (and anything referencing them) and restarts their ids at 1. */
export async function truncateCatalog(manager: EntityManager): Promise<void> {
  await manager.query(`TRUNCATE ${CATALOG_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
}

export async function countKits(manager: EntityManager): Promise<number> {
  const [{ count }] = await manager.query<{ count: number }[]>('SELECT count(*)::int AS count FROM kits');
  return count;
}

type Column = readonly [name: string, sqlType: string, values: readonly unknown[]];

interface RowIds {
  colorIds: Map<string, number>;
  seasonIds: number[];
  kitTypeIds: number[];
  brandIds: number[];
  competitionIds: number[];
  clubIds: number[];
}

async function insertKits(
  manager: EntityManager,
  kits: readonly KitRow[],
  ids: RowIds,
  counts: CatalogCounts,
): Promise<void> {
  const color = (name: string): number => {
    const id = ids.colorIds.get(name);
    if (id === undefined) throw new Error(`Colour "${name}" is missing from the colors table`);
    return id;
  };
  const inserted = await insertRows<{ id: number; slug: string }>(
    manager,
    'kits',
    [
      ['name', 'text', kits.map((k) => k.name)],
      ['slug', 'text', kits.map((k) => k.slug)],
      ['kit_id', 'text', kits.map((k) => k.sourceKitId)],
      ['team_id', 'bigint', kits.map((k) => ids.clubIds[k.club])],
      ['season_id', 'bigint', kits.map((k) => ids.seasonIds[k.season])],
      ['type_id', 'bigint', kits.map((k) => ids.kitTypeIds[k.type])],
      ['brand_id', 'bigint', kits.map((k) => ids.brandIds[k.brand])],
      ['main_img_url', 'text', kits.map((k) => k.mainImgUrl)],
      ['rating', 'numeric', kits.map((k) => k.rating)],
      ['web_updated', 'timestamptz', kits.map((k) => k.webUpdated)],
      ['primary_color_id', 'bigint', kits.map((k) => color(k.primaryColor))],
      ['design', 'text', kits.map((k) => k.design)],
    ],
    'RETURNING id, slug',
  );
  const kitIdBySlug = new Map(inserted.map((row) => [row.slug, row.id]));
  const kitId = (kit: KitRow): number => kitIdBySlug.get(kit.slug)!;

  const competitionPairs = kits.flatMap((k) => k.competitions.map((c) => [kitId(k), ids.competitionIds[c]]));
  const colorPairs = kits.flatMap((k) => k.secondaryColors.map((c) => [kitId(k), color(c)]));
  if (competitionPairs.length > 0) {
    await insertRows(manager, 'kit_competitions', [
      ['kit_id', 'bigint', competitionPairs.map((p) => p[0])],
      ['competition_id', 'bigint', competitionPairs.map((p) => p[1])],
    ]);
  }
  if (colorPairs.length > 0) {
    await insertRows(manager, 'kit_secondary_colors', [
      ['kit_id', 'bigint', colorPairs.map((p) => p[0])],
      ['color_id', 'bigint', colorPairs.map((p) => p[1])],
    ]);
  }
  counts.kits += inserted.length;
  counts.kitCompetitions += competitionPairs.length;
  counts.kitSecondaryColors += colorPairs.length;
}

/** One `INSERT INTO table (…) SELECT * FROM unnest(…)`: each column travels as one array parameter. */
function insertRows<T>(
  manager: EntityManager,
  table: string,
  columns: readonly Column[],
  tail = '',
): Promise<T[]> {
  const names = columns.map(([name]) => name).join(', ');
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  return manager.query<T[]>(
    `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ${tail}`,
    columns.map(([, , values]) => values),
  );
}

async function loadColorIds(manager: EntityManager): Promise<Map<string, number>> {
  const rows = await manager.query<{ id: number; name: string }[]>(
    'SELECT DISTINCT ON (name) id, name FROM colors ORDER BY name, id',
  );
  return new Map(rows.map((r) => [r.name, r.id]));
}

/**
 * Inserts the rows whose `key` is new and returns the id of every row, in the order of `keys`:
 * rows already there (same key) are reused, not duplicated.
 */
async function upsertByKey(
  manager: EntityManager,
  table: string,
  key: string,
  keys: readonly string[],
  columns: readonly Column[],
  batchSize: number,
): Promise<number[]> {
  const idByKey = new Map<string, number>();
  for (let start = 0; start < keys.length; start += batchSize) {
    const slice = (values: readonly unknown[]): unknown[] => values.slice(start, start + batchSize);
    await insertRows(
      manager,
      table,
      columns.map(([name, type, values]) => [name, type, slice(values)] as const),
      `ON CONFLICT (${key}) DO NOTHING`,
    );
    const rows = await manager.query<{ id: number; key: string }[]>(
      `SELECT id, ${key} AS key FROM ${table} WHERE ${key} = ANY($1::text[])`,
      [slice(keys)],
    );
    for (const row of rows) idByKey.set(row.key, row.id);
  }
  return keys.map((k) => idByKey.get(k)!);
}

function upsertNamed(
  manager: EntityManager,
  table: 'brands' | 'competitions' | 'clubs',
  rows: readonly { name: string; slug: string; logo: string | null; logoDark: string | null }[],
  extra: readonly Column[],
  batchSize: number,
): Promise<number[]> {
  return upsertByKey(
    manager,
    table,
    'slug',
    rows.map((r) => r.slug),
    [
      ['name', 'text', rows.map((r) => r.name)],
      ['slug', 'text', rows.map((r) => r.slug)],
      ['logo', 'text', rows.map((r) => r.logo)],
      ['logo_dark', 'text', rows.map((r) => r.logoDark)],
      ...extra,
    ],
    batchSize,
  );
}

/** Kit type names are not unique in the schema: reuse the first row of each name, add the missing ones. */
async function insertKitTypes(manager: EntityManager, catalog: GeneratedCatalog): Promise<number[]> {
  const names = catalog.kitTypes.map((t) => t.name);
  const existing = await manager.query<{ id: number; name: string }[]>(
    'SELECT DISTINCT ON (name) id, name FROM kit_types WHERE name = ANY($1::text[]) ORDER BY name, id',
    [names],
  );
  const idByName = new Map(existing.map((r) => [r.name, r.id]));
  const missing = catalog.kitTypes.filter((t) => !idByName.has(t.name));
  if (missing.length > 0) {
    const inserted = await insertRows<{ id: number; name: string }>(
      manager,
      'kit_types',
      [
        ['name', 'text', missing.map((t) => t.name)],
        ['category', 'text', missing.map((t) => t.category)],
        ['category_order', 'integer', missing.map((t) => t.categoryOrder)],
        ['order_priority', 'integer', missing.map((t) => t.orderPriority)],
        ['is_goalkeeper', 'boolean', missing.map((t) => t.isGoalkeeper)],
      ],
      'RETURNING id, name',
    );
    for (const row of inserted) idByName.set(row.name, row.id);
  }
  return names.map((n) => idByName.get(n)!);
}
