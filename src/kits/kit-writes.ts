// A kit write from request to rows: what a create or an update changes (`KitWrite`, built from
// the request by `newKit` and `kitChanges`) and how it is applied through the entity path inside
// a transaction (`saveKit`, `removeKit`), so the invalidation subscriber sees every change.
// `KitsService` and `KitsRepository` keep the reads.
import { EntityManager } from 'typeorm';
import { Color } from '../colors/color.entity';
import { Competition } from '../competitions/competition.entity';
import { DuplicateValueError, UnknownReferenceError } from '../common/errors/domain-errors';
import { slugify } from '../common/text/slugify';
import { CreateKitDto, UpdateKitDto } from './dto/write-kit.dto';
import { Kit } from './kit.entity';
import { KitNotFoundError } from './kits.errors';

type KitColumns = Pick<
  Kit,
  | 'name'
  | 'slug'
  | 'teamId'
  | 'seasonId'
  | 'typeId'
  | 'brandId'
  | 'primaryColorId'
  | 'design'
  | 'mainImgUrl'
  | 'rating'
  | 'sourceKitId'
  | 'fhLink'
>;

/** A create (every required column) or an update (the changed ones); lists replace the current ones. */
export interface KitWrite {
  columns: Partial<KitColumns>;
  competitionIds?: number[];
  secondaryColorIds?: number[];
}

/** Where each referenced id lives, named as the API field that carries it. */
interface Reference {
  field: string;
  table: 'clubs' | 'seasons' | 'kit_types' | 'brands' | 'competitions' | 'colors';
  ids: number[];
}

function referencesOf(write: KitWrite): Reference[] {
  const { columns: c } = write;
  const single = (id: number | null | undefined): number[] => (id === null || id === undefined ? [] : [id]);
  return [
    { field: 'team_id', table: 'clubs' as const, ids: single(c.teamId) },
    { field: 'season_id', table: 'seasons' as const, ids: single(c.seasonId) },
    { field: 'type_id', table: 'kit_types' as const, ids: single(c.typeId) },
    { field: 'brand_id', table: 'brands' as const, ids: single(c.brandId) },
    { field: 'competition_ids', table: 'competitions' as const, ids: write.competitionIds ?? [] },
    { field: 'primary_color_id', table: 'colors' as const, ids: single(c.primaryColorId) },
    { field: 'secondary_color_ids', table: 'colors' as const, ids: write.secondaryColorIds ?? [] },
  ].filter((ref) => ref.ids.length > 0);
}

/**
 * The new many-to-many list, reusing the loaded id objects for the ids that stay. TypeORM diffs
 * junction rows by comparing these objects with ids it loads itself, and it loads bigint
 * generated ids as strings (its fix for typeorm#720) while ours are numbers: a fresh `{ id: 5 }`
 * never matches `{ id: "5" }`, so a kept row would be inserted again (unique violation) and a
 * dropped one never deleted. Objects loaded the same way match whatever the representation is.
 */
function replaceIds<T extends { id: number }>(
  current: T[] | undefined,
  ids: number[],
  make: (id: number) => T,
): T[] {
  const loaded = new Map((current ?? []).map((item) => [Number(item.id), item]));
  return ids.map((id) => loaded.get(id) ?? make(id));
}

/**
 * Inserts (`id` undefined) or updates a kit through the entity path, inside the caller's
 * transaction so the subscriber sees it: every referenced id is checked in one query, then the
 * slug. Returns the id.
 */
export async function saveKit(
  manager: EntityManager,
  id: number | undefined,
  write: KitWrite,
): Promise<number> {
  const kit = id === undefined ? new Kit() : await loadForWrite(manager, id, write);
  Object.assign(kit, write.columns);
  if (write.competitionIds) {
    kit.competitions = replaceIds(
      kit.competitions,
      write.competitionIds,
      (cid) => ({ id: cid }) as Competition,
    );
  }
  if (write.secondaryColorIds) {
    kit.secondaryColors = replaceIds(
      kit.secondaryColors,
      write.secondaryColorIds,
      (cid) => ({ id: cid }) as Color,
    );
  }
  await assertReferencesExist(manager, referencesOf(write));
  if (write.columns.slug !== undefined) {
    const owner = await manager.findOne(Kit, { select: { id: true }, where: { slug: kit.slug } });
    if (owner && owner.id !== kit.id) throw new DuplicateValueError('slug', kit.slug);
  }
  return (await manager.save(Kit, kit)).id;
}

export async function removeKit(manager: EntityManager, id: number): Promise<void> {
  await manager.remove(Kit, await loadForWrite(manager, id, { columns: {} }));
}

/**
 * The kit without its many-to-one relations: a loaded `team` object would win over a changed
 * `teamId` when TypeORM computes the column to write. The many-to-many lists being replaced are
 * loaded the way TypeORM loads them to diff junction rows (see `replaceIds`).
 */
async function loadForWrite(manager: EntityManager, id: number, write: KitWrite): Promise<Kit> {
  const lists = [
    ...(write.competitionIds ? ['competitions'] : []),
    ...(write.secondaryColorIds ? ['secondaryColors'] : []),
  ];
  const kit = await manager.findOne(Kit, {
    where: { id },
    ...(lists.length > 0 ? { loadRelationIds: { relations: lists, disableMixedMap: true } } : {}),
  });
  if (!kit) throw new KitNotFoundError(id);
  return kit;
}

/** Throws for the first field (in API order) naming ids that do not exist. */
async function assertReferencesExist(manager: EntityManager, references: Reference[]): Promise<void> {
  if (references.length === 0) return;
  // Table names come from the fixed list above, never from the request.
  const sql = references
    .map(
      (ref, i) =>
        `SELECT ${i} AS position, x.id FROM unnest($${i + 1}::bigint[]) AS x(id)
         WHERE NOT EXISTS (SELECT 1 FROM ${ref.table} t WHERE t.id = x.id)`,
    )
    .join(' UNION ALL ');
  const missing = await manager.query<{ position: number; id: number }[]>(
    `${sql} ORDER BY position, id`,
    references.map((ref) => ref.ids),
  );
  if (missing.length === 0) return;
  const first = missing[0].position;
  throw new UnknownReferenceError(
    references[first].field,
    missing.filter((row) => row.position === first).map((row) => row.id),
  );
}

/** Ids of the rows a write names instead of giving their ids. */
export interface NamedReferences {
  typeId?: number;
  primaryColorId?: number;
  secondaryColorIds?: number[];
}

/** Only the fields the request names; `null` clears a nullable one (a null slug is ignored). */
export function kitChanges(input: UpdateKitDto, named: NamedReferences): KitWrite {
  const columns: KitWrite['columns'] = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.slug !== undefined && input.slug !== null) columns.slug = input.slug;
  if (input.team_id !== undefined) columns.teamId = input.team_id;
  if (input.season_id !== undefined) columns.seasonId = input.season_id;
  const typeId = named.typeId ?? input.type_id;
  if (typeId !== undefined) columns.typeId = typeId;
  if (input.brand_id !== undefined) columns.brandId = input.brand_id;
  const primaryColorId = named.primaryColorId ?? input.primary_color_id;
  if (primaryColorId !== undefined) columns.primaryColorId = primaryColorId;
  if (input.design !== undefined) columns.design = input.design;
  if (input.main_img_url !== undefined) columns.mainImgUrl = input.main_img_url;
  if (input.rating !== undefined) columns.rating = input.rating;
  if (input.kit_id !== undefined) columns.sourceKitId = input.kit_id;
  if (input.fh_link !== undefined) columns.fhLink = input.fh_link;
  return {
    columns,
    competitionIds: input.competition_ids,
    secondaryColorIds: named.secondaryColorIds ?? input.secondary_color_ids,
  };
}

/** Every column of a new kit: the request's values, the defaults for what it leaves out. */
export function newKit(input: CreateKitDto, named: NamedReferences, typeId: number): KitWrite {
  return {
    columns: {
      name: input.name,
      slug: input.slug ?? `${slugify(input.name)}-kit`,
      teamId: input.team_id,
      seasonId: input.season_id,
      typeId,
      brandId: input.brand_id,
      primaryColorId: named.primaryColorId ?? input.primary_color_id ?? null,
      design: input.design ?? null,
      mainImgUrl: input.main_img_url,
      rating: input.rating ?? 0,
      sourceKitId: input.kit_id ?? null,
      fhLink: input.fh_link ?? null,
    },
    competitionIds: input.competition_ids ?? [],
    secondaryColorIds: named.secondaryColorIds ?? input.secondary_color_ids ?? [],
  };
}
