import { MigrationInterface, QueryRunner } from 'typeorm';

/** The trigram indexes of the initial schema, which every name search goes through. */
const NAME_INDEXES = [
  'idx_competitions_name_trgm',
  'idx_competitions_slug_trgm',
  'idx_clubs_name_trgm',
  'idx_clubs_slug_trgm',
  'idx_brands_name_trgm',
  'idx_brands_slug_trgm',
  'idx_kits_name_trgm',
];

/** The season search compares `year`, `first_year` and `second_year` with `=`, LIKE and ILIKE. */
const SEASON_COLUMNS = ['year', 'first_year', 'second_year'];

/**
 * Search indexes that stay fast between vacuums.
 *
 * A GIN index with `fastupdate` (the default) appends new entries to a pending list that every
 * scan reads in full until a vacuum merges it. A seeded or imported catalogue therefore leaves
 * its trigram indexes as one long pending list (all 10,000 clubs, measured), and every search
 * read the whole list: 10–25 ms per club search instead of well under 1 ms. Catalogue writes are
 * rare next to searches, so entries go straight into the index instead, and the lists already
 * pending are merged now.
 *
 * The season search had no index for its LIKE / ILIKE conditions: trigram indexes on the three
 * columns it compares (pg_trgm's GIN class also serves `=`). At ~50 seasons in one page the
 * planner rightly reads the page instead; the indexes keep the search indexed if that changes.
 */
export class SearchIndexes1764230400000 implements MigrationInterface {
  name = 'SearchIndexes1764230400000';

  public async up(q: QueryRunner): Promise<void> {
    for (const index of NAME_INDEXES) {
      await q.query(`ALTER INDEX ${index} SET (fastupdate = off)`);
      await q.query(`SELECT gin_clean_pending_list('${index}'::regclass)`);
    }
    for (const column of SEASON_COLUMNS) {
      await q.query(
        `CREATE INDEX idx_seasons_${column}_trgm ON seasons USING gin (${column} gin_trgm_ops) WITH (fastupdate = off)`,
      );
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const column of SEASON_COLUMNS) await q.query(`DROP INDEX IF EXISTS idx_seasons_${column}_trgm`);
    for (const index of NAME_INDEXES) await q.query(`ALTER INDEX ${index} RESET (fastupdate)`);
  }
}
