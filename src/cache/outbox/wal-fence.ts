import { DataSource, QueryRunner } from 'typeorm';

/**
 * What read replicas need from the outbox (`database/replica-reads.module.ts`): before the
 * invalidation of committed writes is applied, note where the primary's WAL stands, so that no
 * instance reads from a replica that has not replayed those writes yet. Provided only when
 * `DATABASE_REPLICA_URLS` is set; without it the subscriber and the drainer skip the call.
 *
 * Must reject when the position could not be recorded: the invalidation is then retried (and its
 * outbox row kept) rather than applied with replicas free to serve what it invalidated.
 */
export interface WalFence {
  /** `sql`: the primary, after the writes committed (a connection, or the pool). */
  recordCommitted(sql: QueryRunner | DataSource): Promise<void>;
}

export const WAL_FENCE = Symbol('WAL_FENCE');
