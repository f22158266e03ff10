import { Column, Entity } from 'typeorm';
import { bigintTransformer } from '../../common/transformers/numeric.transformer';

/**
 * Tags a committed write still has to invalidate. Written in the write's own transaction, deleted
 * once Redis confirmed the invalidation; whatever is left is retried by `OutboxDrainer` on any
 * instance. Read and written with plain SQL by `OutboxRepository`; mapped for the schema's record.
 */
@Entity('cache_outbox')
export class CacheOutboxEntry {
  @Column({ type: 'bigint', primary: true, generated: 'increment', transformer: bigintTransformer })
  id!: number;
  @Column({ type: 'text', array: true }) tags!: string[];
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  /** Failed drain attempts (an after-commit failure is not counted). */
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
}
