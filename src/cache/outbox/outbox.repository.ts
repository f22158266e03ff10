import { Injectable } from '@nestjs/common';
import { OUTBOX_CHANNEL, THIS_INSTANCE } from './outbox-notifications';

/** A connection to run SQL on: a transaction's `QueryRunner`, or the `DataSource` (pool). */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface OutboxRow {
  id: number;
  tags: string[];
}

export interface ClaimOptions {
  limit: number;
  /**
   * Skip rows another drainer holds (the background loop: never wait). Without it, wait for them
   * and see whether that drainer deleted them: a caller that must know nothing is pending does.
   */
  skipLocked: boolean;
  /** Only rows up to this id: a drain that must finish does not chase rows committed after it began. */
  upToId?: number;
}

const MAX_ERROR_LENGTH = 1000;

/** Every query on `cache_outbox`. Plain SQL: row locks and arrays read better here than in the query builder. */
@Injectable()
export class OutboxRepository {
  /**
   * Inside the write's transaction; the notification is delivered when it commits (never for a
   * rollback), so other instances' drainers wake at once (`outbox-notifications.ts`).
   */
  async insert(runner: SqlRunner, tags: readonly string[]): Promise<number> {
    const rows = (await runner.query(
      'INSERT INTO cache_outbox (tags) VALUES ($1) RETURNING id, pg_notify($2, $3)',
      [tags, OUTBOX_CHANNEL, THIS_INSTANCE],
    )) as { id: number }[];
    return Number(rows[0].id);
  }

  async delete(runner: SqlRunner, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await runner.query('DELETE FROM cache_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /**
   * Locks up to `limit` pending rows for the caller's transaction: the least-tried first (a row
   * that keeps failing goes behind the others), then the oldest.
   */
  async claim(runner: SqlRunner, { limit, skipLocked, upToId }: ClaimOptions): Promise<OutboxRow[]> {
    const rows = (await runner.query(
      `SELECT id, tags FROM cache_outbox
        WHERE ($2::bigint IS NULL OR id <= $2::bigint)
        ORDER BY attempts, id
        LIMIT $1
        FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
      [limit, upToId ?? null],
    )) as OutboxRow[];
    return rows.map((row) => ({ id: Number(row.id), tags: row.tags }));
  }

  async recordFailure(runner: SqlRunner, ids: readonly number[], error: string): Promise<void> {
    await runner.query(
      'UPDATE cache_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])',
      [ids, error.slice(0, MAX_ERROR_LENGTH)],
    );
  }

  async count(runner: SqlRunner): Promise<number> {
    const rows = (await runner.query('SELECT count(*)::int AS count FROM cache_outbox')) as {
      count: number;
    }[];
    return rows[0].count;
  }

  /** The newest committed row's id, or null when nothing is pending. */
  async newestId(runner: SqlRunner): Promise<number | null> {
    const rows = (await runner.query('SELECT max(id) AS id FROM cache_outbox')) as { id: number | null }[];
    return rows[0].id === null ? null : Number(rows[0].id);
  }
}
