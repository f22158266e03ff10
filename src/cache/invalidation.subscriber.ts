import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  EntityMetadata,
  EntitySubscriberInterface,
  In,
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
import { Brand } from '../brands/brand.entity';
import { Club } from '../clubs/club.entity';
import { Color } from '../colors/color.entity';
import { Competition } from '../competitions/competition.entity';
import { KitType } from '../kit-types/kit-type.entity';
import { Kit } from '../kits/kit.entity';
import { Season } from '../seasons/season.entity';
import {
  cascadedKitsChangeTags,
  EntityKind,
  entityChangeTags,
  KitKeys,
  kitChangeTags,
  Tag,
} from './cache-tags';
import { describeError, OUTBOX_DRAINER_OPTIONS, OutboxDrainerOptions } from './outbox/outbox-drainer.service';
import { OutboxFaults } from './outbox/outbox-faults';
import { OutboxRepository } from './outbox/outbox.repository';
import { TAG_INVALIDATOR, TagInvalidator } from './outbox/tag-invalidator';

/** Pause between two attempts of a write's after-commit invalidation. */
const AFTER_COMMIT_RETRY_STEP_MS = 100;

const KIND_OF_ENTITY = new Map<unknown, Exclude<EntityKind, 'kit'>>([
  [Club, 'club'],
  [Season, 'season'],
  [Brand, 'brand'],
  [Competition, 'competition'],
  [KitType, 'kit_type'],
  [Color, 'color'],
]);

/**
 * The `kits` column referencing each parent whose deletion the database cascades to its kits. A
 * club is left out: its own change tags (`entityChangeTags`) already cover its kits' entries.
 */
const KIT_PARENT_COLUMN = new Map<unknown, 'season_id' | 'brand_id' | 'type_id'>([
  [Season, 'season_id'],
  [Brand, 'brand_id'],
  [KitType, 'type_id'],
]);

/** What one transaction changed so far. */
interface PendingChanges {
  /** Our count of nested transaction levels (savepoints), to act on the outermost commit only. */
  depth: number;
  tags: Set<string>;
  /** Kits whose competitions or secondary colours changed: their club and season are read before commit. */
  kitsToLookUp: Set<number>;
  outboxId?: number;
}

/**
 * A write the subscriber cannot attribute to a row (a query-builder `update()`/`delete()` gives
 * neither the row's id nor its previous values). Refused, so that it rolls back instead of
 * leaving stale entries: write through `manager.save()` / `manager.remove()`.
 */
export class UnattributableWriteError extends Error {
  constructor(entity: string, operation: string) {
    super(
      `cannot tell which ${entity} row a query-builder ${operation} changed, so its cache entries ` +
        `cannot be invalidated: write it with manager.save() / manager.remove()`,
    );
    this.name = 'UnattributableWriteError';
  }
}

/**
 * Invalidation after commit (DESIGN.md §3). Collects the tags of every catalogue row a transaction
 * inserts, updates (old and new foreign keys) or removes, and of every many-to-many change of a
 * kit; writes them to `cache_outbox` inside the transaction just before it commits; after the
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
  /** Tags of the kits a removal will cascade to, read before the row goes (`beforeRemove`). */
  private readonly cascades = new WeakMap<ObjectLiteral, string[]>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    @Inject(TAG_INVALIDATOR) private readonly invalidator: TagInvalidator,
    private readonly faults: OutboxFaults,
    @Inject(OUTBOX_DRAINER_OPTIONS) private readonly options: OutboxDrainerOptions,
  ) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  onApplicationShutdown(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  // ---- transaction boundaries ----

  afterTransactionStart({ queryRunner }: TransactionStartEvent): void {
    const changes = this.pending.get(queryRunner);
    if (changes) changes.depth += 1;
    else this.pending.set(queryRunner, { depth: 1, tags: new Set(), kitsToLookUp: new Set() });
  }

  /** Still inside the transaction: the outbox row commits or rolls back with the data. */
  async beforeTransactionCommit({ queryRunner }: TransactionCommitEvent): Promise<void> {
    const changes = this.pending.get(queryRunner);
    if (!changes || changes.depth > 1) return; // a savepoint: the outer transaction decides
    await this.lookUpKits(queryRunner, changes);
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
    this.faults.afterCommit();
    if (this.faults.skipAfterCommitInvalidation) return;
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

  // ---- row changes ----

  async afterInsert(event: InsertEvent<ObjectLiteral>): Promise<void> {
    await this.collect(event.queryRunner, (changes) => {
      const { metadata, entity } = event;
      if (metadata.isJunction)
        return this.collectKitRelationChange(changes, metadata, event.entityId ?? entity, 'insert');
      const id = rowId(metadata, event.entityId, entity);
      if (metadata.target === Kit) {
        if (id === undefined) throw new UnattributableWriteError(metadata.name, 'insert');
        return this.collectKitChange(changes, id, [], kitKeys(id, entity));
      }
      this.collectEntityChange(changes, metadata, id, 'insert');
    });
  }

  async afterUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> {
    await this.collect(event.queryRunner, (changes) => {
      const { metadata, entity, databaseEntity } = event;
      const id = rowId(metadata, entity, databaseEntity);
      if (metadata.target === Kit) {
        if (id === undefined) throw new UnattributableWriteError(metadata.name, 'update');
        const before = databaseEntity as Partial<Kit> | undefined;
        const after = entity as Partial<Kit> | undefined;
        return this.collectKitChange(changes, id, kitKeys(id, before), kitKeys(id, after, before));
      }
      this.collectEntityChange(changes, metadata, id, 'update');
    });
  }

  /**
   * Deleting a season, brand or kit type deletes its kits in the database (`ON DELETE CASCADE`)
   * without an event for them, so their clubs are read here, while the kits still exist; the
   * removal's own event adds their tags (`collectRemoval`).
   */
  async beforeRemove(event: RemoveEvent<ObjectLiteral>): Promise<void> {
    const column = KIT_PARENT_COLUMN.get(event.metadata.target);
    const id = rowId(event.metadata, event.entityId, event.databaseEntity, event.entity);
    if (!column || id === undefined || !event.entity) return; // an unattributable one is refused after
    // The column name comes from the fixed map above, never from input.
    const rows = (await event.queryRunner.query(`SELECT DISTINCT team_id FROM kits WHERE ${column} = $1`, [
      id,
    ])) as { team_id: string }[];
    this.cascades.set(event.entity, cascadedKitsChangeTags(rows.map((row) => Number(row.team_id))));
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
        return this.collectKitRelationChange(changes, metadata, event.entityId ?? row, 'delete');
      const id = rowId(metadata, event.entityId, event.databaseEntity, event.entity);
      if (metadata.target === Kit) {
        if (id === undefined) throw new UnattributableWriteError(metadata.name, 'delete');
        return this.collectKitChange(changes, id, kitKeys(id, row), []);
      }
      this.collectEntityChange(changes, metadata, id, 'delete');
      for (const tag of (event.entity && this.cascades.get(event.entity)) || []) changes.tags.add(tag);
    });
  }

  private collectEntityChange(
    changes: PendingChanges,
    metadata: EntityMetadata,
    id: number | undefined,
    operation: string,
  ): void {
    const kind = KIND_OF_ENTITY.get(metadata.target);
    if (!kind) return; // not cached (variations, the outbox itself)
    if (id === undefined) throw new UnattributableWriteError(metadata.name, operation);
    for (const tag of entityChangeTags(kind, id)) changes.tags.add(tag);
  }

  /**
   * `before` / `after` are the kit's foreign keys before and after the write; when one side is
   * not known (a query-builder write) the kit's current row is read before commit.
   */
  private collectKitChange(changes: PendingChanges, id: number, before: KitKeys[], after: KitKeys[]): void {
    for (const keys of [...before, ...after])
      for (const tag of kitChangeTags(keys, undefined)) changes.tags.add(tag);
    for (const tag of kitChangeTags(undefined, undefined)) changes.tags.add(tag);
    changes.tags.add(Tag.kit(id));
    if (before.length === 0 && after.length === 0) changes.kitsToLookUp.add(id);
  }

  /**
   * A row of `kit_competitions` / `kit_secondary_colors` was inserted or deleted. TypeORM sends
   * no update event for the kit when only such a relation changed, so this is where the kit's
   * tags come from.
   */
  private collectKitRelationChange(
    changes: PendingChanges,
    metadata: EntityMetadata,
    junctionRow: unknown,
    operation: string,
  ): void {
    const kitColumn = [...metadata.ownerColumns, ...metadata.inverseColumns].find(
      (column) => column.referencedColumn?.entityMetadata.target === Kit,
    );
    if (!kitColumn) return;
    const kitId =
      typeof junctionRow === 'object' && junctionRow !== null
        ? toId(kitColumn.getEntityValue(junctionRow))
        : undefined;
    if (kitId === undefined) throw new UnattributableWriteError(metadata.tableName, operation);
    this.collectKitChange(changes, kitId, [], []);
  }

  /** Reads the club and season of kits whose relations changed (one query per transaction). */
  private async lookUpKits(runner: QueryRunner, changes: PendingChanges): Promise<void> {
    if (changes.kitsToLookUp.size === 0) return;
    const ids = [...changes.kitsToLookUp];
    changes.kitsToLookUp.clear();
    const kits = await runner.manager.find(Kit, {
      select: { id: true, teamId: true, seasonId: true },
      where: { id: In(ids) },
    });
    // A kit deleted in the same transaction is gone: its removal already collected its tags.
    for (const kit of kits) for (const tag of kitChangeTags(kit, kit)) changes.tags.add(tag);
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
        changes = { depth: 1, tags: new Set(), kitsToLookUp: new Set() };
        this.pending.set(runner, changes);
      }
      describe(changes);
      return;
    }
    const changes: PendingChanges = { depth: 0, tags: new Set(), kitsToLookUp: new Set() };
    describe(changes);
    await this.lookUpKits(runner, changes);
    if (changes.tags.size === 0) return;
    const outboxId = await this.outbox.insert(runner, [...changes.tags]);
    this.faults.afterCommit();
    if (this.faults.skipAfterCommitInvalidation) return;
    await this.invalidateCommitted(runner, [...changes.tags], outboxId);
  }

  private async invalidateCommitted(
    runner: QueryRunner,
    tags: string[],
    outboxId: number | undefined,
  ): Promise<void> {
    const giveUpAt = Date.now() + this.options.afterCommitRetryMs;
    for (;;) {
      try {
        await this.invalidator.invalidateTags(tags);
        break;
      } catch (error) {
        if (Date.now() >= giveUpAt) {
          this.logger.warn(
            `invalidation after commit failed, outbox row ${outboxId ?? '?'} left for the drainer: ${describeError(error)}`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, AFTER_COMMIT_RETRY_STEP_MS));
      }
    }
    if (outboxId === undefined) return;
    try {
      // The same connection, now outside the transaction: a pool exhausted by writers waiting in
      // this hook could not hand out another one.
      await this.outbox.delete(runner, [outboxId]);
    } catch (error) {
      this.logger.warn(`outbox row ${outboxId} invalidated but not deleted: ${describeError(error)}`);
    }
  }
}

/** The id of a single-key row, from the first source that has it (an event id or an entity). */
function rowId(metadata: EntityMetadata, ...sources: unknown[]): number | undefined {
  const [primary] = metadata.primaryColumns;
  for (const source of sources) {
    if (source === undefined || source === null) continue;
    const id = toId(typeof source === 'object' ? primary.getEntityValue(source) : source);
    if (id !== undefined) return id;
  }
  return undefined;
}

function toId(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  if (value === '') return undefined;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * A kit's foreign keys as an entity states them. Both the column (`teamId`) and a relation object
 * (`team`) can be set, and TypeORM lets the relation win, so each distinct candidate is returned;
 * what a partial entity does not set comes from `fallback` (the row as it was).
 */
function kitKeys(id: number, kit: Partial<Kit> | undefined, fallback?: Partial<Kit>): KitKeys[] {
  const candidates = (values: unknown[], old: unknown): number[] => {
    const ids = values.map(toId).filter((value): value is number => value !== undefined);
    const fromFallback = toId(old);
    return [...new Set(ids.length > 0 ? ids : fromFallback === undefined ? [] : [fromFallback])];
  };
  const teams = candidates([kit?.teamId, kit?.team?.id], fallback?.teamId ?? fallback?.team?.id);
  const seasons = candidates([kit?.seasonId, kit?.season?.id], fallback?.seasonId ?? fallback?.season?.id);
  return teams.flatMap((teamId) => seasons.map((seasonId) => ({ id, teamId, seasonId })));
}
