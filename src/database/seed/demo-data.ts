import { DataSource } from 'typeorm';
import { CatalogOptions, generateCatalog } from './catalog-generator';
import { countKits, writeCatalog } from './catalog-writer';

/**
 * The catalogue a fresh embedded database starts with: 50 invented clubs (two of them national
 * sides), the seasons 2019-20 to 2024-25 plus 2020, 2022 and 2024, 8 brands, 11 competitions,
 * the 8 usual kit types and 400 kits. Made up, and the same on every machine.
 */
export const DEMO_CATALOG: CatalogOptions = {
  kits: 400,
  clubs: 50,
  brands: 8,
  firstSeasonYear: 2019,
  lastSeasonYear: 2024,
  seed: 'fkapi-demo',
};

/** Any number will do as long as nothing else in the schema takes the same advisory lock. */
const DEMO_DATA_LOCK = 7_305_114_001;

/**
 * Loads the demo catalogue when the database holds no kits. Two processes starting together on
 * one database load it once: the check and the load run under a transaction-scoped advisory lock.
 * Returns what was loaded, or null when the database already had kits.
 */
export async function loadDemoDataOnce(
  dataSource: DataSource,
): Promise<{ kits: number; clubs: number } | null> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [DEMO_DATA_LOCK]);
    if ((await countKits(manager)) > 0) return null;
    const counts = await writeCatalog(manager, generateCatalog(DEMO_CATALOG));
    return { kits: counts.kits, clubs: counts.clubs };
  });
}
