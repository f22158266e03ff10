/**
 * How a feature module declares what a committed change of its entity invalidates (docs/DESIGN.md §3),
 * next to the `@Cached` reads whose tags it must match:
 *
 *   @Injectable()
 *   @InvalidatesOn(Club)
 *   export class ClubInvalidation implements InvalidationRules<Club> {
 *     changed({ id }: RowChange<Club>): string[] { return [Tag.club(id), Family.searchClubs]; }
 *   }
 *
 * and lists the class in its module's providers. `InvalidationRulesRegistry` finds every such
 * provider at boot and refuses to start when an entity TypeORM knows has no `changed` rule, so
 * a new entity cannot be cached without saying what its writes drop. The cache layer itself
 * knows no entity: `InvalidationSubscriber` collects row events and asks these rules.
 */
import { ObjectLiteral, QueryRunner } from 'typeorm';

/** An entity class as TypeORM registers it. */
// The class is only compared by identity and named in errors; its constructor is never called.
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityClass = Function;

/** One row inserted, updated or removed in a transaction, as far as TypeORM's event tells it. */
export interface RowChange<T extends ObjectLiteral = ObjectLiteral> {
  operation: 'insert' | 'update' | 'delete';
  id: number;
  /** The row as it was: the loaded row of an update or removal (partial or absent for a query-builder write). */
  before?: Partial<T>;
  /** The row as written (insert, update); possibly partial. */
  after?: Partial<T>;
}

/** Tags to drop, and whether the row must be read before commit (`lookUp`) for the rest. */
export interface ChangeTags {
  tags: readonly string[];
  lookUp?: boolean;
}

export interface InvalidationRules<T extends ObjectLiteral = ObjectLiteral> {
  /** What a committed insert, update or removal of one row drops. */
  changed?(change: RowChange<T>): readonly string[] | ChangeTags;
  /**
   * A row of a many-to-many join table naming this entity was inserted or deleted: TypeORM sends
   * no event for the entity itself. Without this rule such changes invalidate nothing.
   */
  relationChanged?(id: number): readonly string[] | ChangeTags;
  /**
   * Called before a row of `target` (one of the decorator's entities) is removed, while what
   * the database deletes with it (`ON DELETE CASCADE`, no events) can still be read.
   */
  removing?(target: EntityClass, id: number, runner: QueryRunner): Promise<readonly string[]>;
  /** Tags of rows whose `changed` asked for a look-up, read inside the transaction before commit. */
  lookUp?(ids: readonly number[], runner: QueryRunner): Promise<readonly string[]>;
}

export const INVALIDATES_ON = Symbol('fkapi:invalidates-on');

/** Marks a provider as the invalidation rules of `entities` (only stores metadata). */
export function InvalidatesOn(...entities: EntityClass[]): ClassDecorator {
  if (entities.length === 0) throw new TypeError('@InvalidatesOn needs at least one entity');
  return (target) => Reflect.defineMetadata(INVALIDATES_ON, entities, target);
}

export function getInvalidatesOn(target: unknown): readonly EntityClass[] | undefined {
  return typeof target === 'function'
    ? (Reflect.getMetadata(INVALIDATES_ON, target) as EntityClass[] | undefined)
    : undefined;
}

export function asChangeTags(result: readonly string[] | ChangeTags): ChangeTags {
  return Array.isArray(result) ? { tags: result } : (result as ChangeTags);
}
