import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cache invalidations that a committed write still owes (docs/DESIGN.md §3): one row per write
 * transaction, deleted once Redis confirmed. Drained least-tried first, then oldest.
 */
export class CacheOutbox1764144000000 implements MigrationInterface {
  name = 'CacheOutbox1764144000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cache_outbox (
        id bigserial PRIMARY KEY,
        tags text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX idx_cache_outbox_drain_order ON cache_outbox (attempts, id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cache_outbox`);
  }
}
