// Over 300 lines: TypeORM's subscriber events and the after-commit step they end in belong to one
// transaction's life; the after-commit retry is the part to move out next (docs/DESIGN.md §3).
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import {
  DataSource,
  EntityMetadata,
  EntitySubscriberInterface,
  InsertEvent,
  ObjectLiteral,
  QueryRunner,
  RecoverEvent,
  RemoveEvent,
  SoftRemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
  UpdateEvent,
} from 'typeorm';
import { asChangeTags, ChangeTags, EntityClass, InvalidationRules, RowChange } from './invalidation-rules';
import { InvalidationRulesRegistry } from './invalidation-rules.registry';
import { rowId, toId } from './row-id';
import { UnattributableWriteError } from './unattributable-write.error';
import { describeError, OUTBOX_DRAINER_OPTIONS, OutboxDrainerOptions } from './outbox/outbox-drainer.service';
import { parkUntilResponse } from './outbox/invalidations-before-response';
import { OutboxRepository } from './outbox/outbox.repository';
import { TAG_INVALIDATOR, TagInvalidator } from './outbox/tag-invalidator';
import { WAL_FENCE, WalFence } from './outbox/wal-fence';

export { UnattributableWriteError };

/** Pause between two attempts of a write's after-commit invalidation. */
const AFTER_COMMIT_RETRY_STEP_MS = 100;

/** What one transaction changed so far. */
interface PendingChanges {
  /** Our count of nested transaction levels (savepoints), to act on the outermost commit only. */
  depth: number;
  tags: Set<string>;
  /** Rows whose tags their rules read before commit (e.g. a kit whose competitions changed). */
  lookUps: Map<InvalidationRules, Set<number>>;
  outboxId?: number;
}

/**
 * Invalidation after commit (docs/DESIGN.md §3). Collects the tags of every row a transaction inserts,
 * updates (old and new values) or removes, and of every many-to-many change, as the entity's own
 * module declares them (`@InvalidatesOn`, `invalidation-rules.ts`); writes them to `cache_outbox` inside the transaction just before it commits; after the
 * commit invalidates them and deletes the row. A rollback takes the row with it and invalidates
 * nothing. If Redis is down or the process dies after the commit, the row stays for `OutboxDrainer`.
 *
 * TypeORM wraps every `save()`/`remove()` in a transaction when none is open, so one code path
 * serves explicit and implicit transactions; a write outside any transaction (e.g. `save(x,
 * { transaction: false })`) is already committed when its event fires and is invalidated at once.
 */
@Injectable()
export class InvalidationSubscriber
  implements EntitySubscriberInterface, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('CacheInvalidation');
  private readonly pending = new WeakMap<QueryRunner, PendingChanges>();
  /** Tags of what a removal will cascade to, read before the row goes (`beforeRemove`). */
  private readonly cascades = new WeakMap<ObjectLiteral, string[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: InvalidationRulesRegistry,
    private readonly outbox: OutboxRepository,
    @Inject(TAG_INVALIDATOR) private readonly invalidator: TagInvalidator,
    @Inject(OUTBOX_DRAINER_OPTIONS) private readonly options: OutboxDrainerOptions,
    @Optional() @Inject(WAL_FENCE) private readonly walFence?: WalFence,
  ) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  onApplicationShutdown(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  afterTransactionStart({ queryRunner }: TransactionStartEvent): void {
    const changes = this.pending.get(queryRunner);
    if (changes) changes.depth += 1;
    else this.pending.set(queryRunner, { depth: 1, tags: new Set(), lookUps: new Map() });
  }

  /** Still inside the transaction: the outbox row commits or rolls back with the data. */
  async beforeTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const changes = this.pending.get(queryRunner);
    if (!changes || changes.depth > 1) return; // a savepoint: the outer transaction decides
    await this.lookUpRows(queryRunner, changes);
    if (changes.tags.size === 0) return;
    changes.outboxId = await this.outbox.insert(queryRunner, [...changes.tags]);
  }

  /** Never throws: the data is committed, and a failed invalidation is the outbox's to retry. */
  async afterTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const changes = this.pending.get(queryRunner);
    if (!changes) return;
    changes.depth -= 1;
    if (queryRunner.isTransactionActive) return; // released a savepoint
    this.pending.delete(queryRunner);
    if (changes.tags.size === 0) return;
    await this.invalidateCommitted(queryRunner, [...changes.tags], changes.outboxId);
  }

  /**
   * The outer rollback drops everything (the outbox row went with it). Tags collected inside a
   * savepoint that rolled back are kept: invalidating an unchanged row is only a cache miss.
   */
  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    const changes = this.pending.get(queryRunner);
    if (!changes) return;
    changes.depth -= 1;
    if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
  }

  async afterInsert(event: InsertEvent<ObjectLiteral>): Promise<void> {
    await this.collect(event.queryRunner, (changes) => {
      const { metadata, entity } = event;
      if (metadata.isJunction)
        return this.collectRelationChange(changes, metadata, event.entityId ?? entity, 'insert');
      const id = rowId(metadata, event.entityId, entity);
      this.collectRowChange(changes, metadata, { operation: 'insert', id, after: entity });
    });
  }

  async afterUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> {
    await this.collect(event.queryRunner, (changes) => {
      const { metadata, entity, databaseEntity } = event;
      const id = rowId(metadata, entity, databaseEntity);
      const change = { operation: 'update', id, before: databaseEntity, after: entity } as const;
      this.collectRowChange(changes, metadata, change);
    });
  }

  /**
   * What the database deletes with a row (`ON DELETE CASCADE`) sends no event, so the rules'
   * `removing` reads it here, while it still exists; the removal's own event adds those tags
   * (`collectRemoval`).
   */
  async beforeRemove(event: RemoveEvent<ObjectLiteral>): Promise<void> {
    const rules = this.rules.rulesFor(event.metadata.target).filter((rule) => rule.removing);
    const id = rowId(event.metadata, event.entityId, event.databaseEntity, event.entity);
    if (rules.length === 0 || id === undefined || !event.entity) return; // an unattributable one is refused after
    const tags: string[] = [];
    for (const rule of rules)
      tags.push(...(await rule.removing!(event.metadata.target as EntityClass, id, event.queryRunner)));
    this.cascades.set(event.entity, tags);
  }

  async afterRemove(event: RemoveEvent<ObjectLiteral>): Promise<void> {
    await this.collectRemoval(event);
  }

  async afterSoftRemove(event: SoftRemoveEvent<ObjectLiteral>): Promise<void> {
    await this.collectRemoval(event);
  }

  async afterRecover(event: RecoverEvent<ObjectLiteral>): Promise<void> {
    await this.collectRemoval(event);
  }

  private async collectRemoval(event: RemoveEvent<ObjectLiteral>): Promise<void> {
    await this.collect(event.queryRunner, (changes) => {
      const { metadata } = event;
      // Removed entities lose their id once deleted: the event's id and loaded row still have it.
      const row = event.databaseEntity ?? event.entity;
      if (metadata.isJunction)
        return this.collectRelationChange(changes, metadata, event.entityId ?? row, 'delete');
      const id = rowId(metadata, event.entityId, event.databaseEntity, event.entity);
      this.collectRowChange(changes, metadata, { operation: 'delete', id, before: row });
      for (const tag of (event.entity && this.cascades.get(event.entity)) || []) changes.tags.add(tag);
    });
  }

  /** Asks the entity's rules what the change drops; an entity without rules is not cached. */
  private collectRowChange(
    changes: PendingChanges,
    metadata: EntityMetadata,
    change: Omit<RowChange, 'id'> & { id: number | undefined },
  ): void {
    const rules = this.rules.rulesFor(metadata.target).filter((rule) => rule.changed);
    if (rules.length === 0) return;
    const { id } = change;
    if (id === undefined) throw new UnattributableWriteError(metadata.name, change.operation);
    for (const rule of rules) this.add(changes, rule, id, rule.changed!({ ...change, id }));
  }

  /**
   * A row of a join table (`kit_competitions`, …) was inserted or deleted: TypeORM sends no
   * update event for the entities it links, so the rules of each linked entity that has a
   * `relationChanged` rule are asked here.
   */
  private collectRelationChange(
    changes: PendingChanges,
    metadata: EntityMetadata,
    junctionRow: unknown,
    operation: string,
  ): void {
    for (const column of [...metadata.ownerColumns, ...metadata.inverseColumns]) {
      const rules = this.rules
        .rulesFor(column.referencedColumn?.entityMetadata.target)
        .filter((rule) => rule.relationChanged);
      if (rules.length === 0) continue;
      const id =
        typeof junctionRow === 'object' && junctionRow !== null
          ? toId(column.getEntityValue(junctionRow))
          : undefined;
      if (id === undefined) throw new UnattributableWriteError(metadata.tableName, operation);
      for (const rule of rules) this.add(changes, rule, id, rule.relationChanged!(id));
    }
  }

  private add(
    changes: PendingChanges,
    rule: InvalidationRules,
    id: number,
    result: readonly string[] | ChangeTags,
  ): void {
    const { tags, lookUp } = asChangeTags(result);
    for (const tag of tags) changes.tags.add(tag);
    if (!lookUp) return;
    const ids = changes.lookUps.get(rule) ?? new Set<number>();
    changes.lookUps.set(rule, ids.add(id));
  }

  /** Reads, through their rules, the tags of rows a change could not describe (one query per rule and transaction). */
  private async lookUpRows(runner: QueryRunner, changes: PendingChanges): Promise<void> {
    if (changes.lookUps.size === 0) return;
    const lookUps = [...changes.lookUps];
    changes.lookUps.clear();
    for (const [rule, ids] of lookUps) {
      const tags = rule.lookUp ? await rule.lookUp([...ids], runner) : [];
      for (const tag of tags) changes.tags.add(tag);
    }
  }

  /**
   * Runs `describe` on the transaction's pending changes; outside a transaction the write is
   * already committed, so its tags go through the outbox and are invalidated right away (a crash
   * between the write and the outbox row can lose that one invalidation: use a transaction).
   */
  private async collect(runner: QueryRunner, describe: (changes: PendingChanges) => void): Promise<void> {
    if (runner.isTransactionActive) {
      let changes = this.pending.get(runner);
      if (!changes) {
        changes = { depth: 1, tags: new Set(), lookUps: new Map() };
        this.pending.set(runner, changes);
      }
      describe(changes);
      return;
    }
    const changes: PendingChanges = { depth: 0, tags: new Set(), lookUps: new Map() };
    describe(changes);
    await this.lookUpRows(runner, changes);
    if (changes.tags.size === 0) return;
    const outboxId = await this.outbox.insert(runner, [...changes.tags]);
    await this.invalidateCommitted(runner, [...changes.tags], outboxId);
  }

  /**
   * Invalidates at once; when that fails, retries for `afterCommitRetryMs` without holding the
   * transaction's connection when a request is answering (`parkUntilResponse`): the response
   * still waits for the retry, but readers get the connection meanwhile.
   *
   * The one step between a commit and its invalidation: tests replace it from the outside to
   * play a process that dies there (a spy in-process, a `--require` preload in the chaos runs).
   */
  async invalidateCommitted(
    runner: QueryRunner,
    tags: string[],
    outboxId: number | undefined,
  ): Promise<void> {
    try {
      await this.apply(runner, tags);
    } catch {
      const retried = (sql: QueryRunner | DataSource) => async (): Promise<void> => {
        if (await this.retryInvalidation(sql, tags, outboxId)) await this.deleteRow(sql, outboxId);
      };
      if (!parkUntilResponse(retried(this.dataSource))) await retried(runner)();
      return;
    }
    // The same connection, now outside the transaction: a pool exhausted by writers waiting in
    // this hook could not hand out another one.
    await this.deleteRow(runner, outboxId);
  }

  private async apply(sql: QueryRunner | DataSource, tags: string[]): Promise<void> {
    // With read replicas: where the WAL stands, before any entry goes (`wal-fence.ts`).
    await this.walFence?.recordCommitted(sql);
    await this.invalidator.invalidateTags(tags);
  }

  /** True once invalidated; false when given up (the row is left for the drainers). */
  private async retryInvalidation(
    sql: QueryRunner | DataSource,
    tags: string[],
    outboxId: number | undefined,
  ): Promise<boolean> {
    const giveUpAt = Date.now() + this.options.afterCommitRetryMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, AFTER_COMMIT_RETRY_STEP_MS));
      try {
        await this.apply(sql, tags);
        return true;
      } catch (error) {
        if (Date.now() >= giveUpAt) {
          this.logger.warn(
            `invalidation after commit failed, outbox row ${outboxId ?? '?'} left for the drainer: ${describeError(error)}`,
          );
          return false;
        }
      }
    }
  }

  private async deleteRow(runner: QueryRunner | DataSource, outboxId: number | undefined): Promise<void> {
    if (outboxId === undefined) return;
    try {
      await this.outbox.delete(runner, [outboxId]);
    } catch (error) {
      this.logger.warn(`outbox row ${outboxId} invalidated but not deleted: ${describeError(error)}`);
    }
  }
}
