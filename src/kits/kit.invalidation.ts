import { Injectable } from '@nestjs/common';
import { In, QueryRunner } from 'typeorm';
import { Brand } from '../brands/brand.entity';
import { Family, Tag } from '../cache/cache-tags';
import {
  ChangeTags,
  EntityClass,
  InvalidatesOn,
  InvalidationRules,
  RowChange,
} from '../cache/invalidation-rules';
import { toId } from '../cache/row-id';
import { KitType } from '../kit-types/kit-type.entity';
import { Season } from '../seasons/season.entity';
import { Kit } from './kit.entity';

/** The foreign keys of a kit that decide which lists it sits in. */
export interface KitKeys {
  id: number;
  teamId: number;
  seasonId: number;
}

/** Tags invalidated when a kit is inserted, updated (old and new keys) or removed. */
export function kitChangeTags(before: KitKeys | undefined, after: KitKeys | undefined): string[] {
  const tags = new Set<string>([Family.kitsList, Family.kitsBulk, Family.searchKits]);
  for (const keys of [before, after]) {
    if (!keys) continue;
    tags.add(Tag.kit(keys.id));
    // The seed's cascade to the kit's club and season: what lists the club's or the season's
    // kits (club kits, seasons by club, filtered lists). Entries merely embedding the club or
    // season (other kits' details) are unaffected by this kit and stay cached.
    tags.add(Tag.clubKits(keys.teamId));
    tags.add(Tag.seasonKits(keys.seasonId));
  }
  return [...tags];
}

/**
 * Tags invalidated for the kits the database deletes with their season, brand or kit type
 * (`ON DELETE CASCADE`: no entity event is sent for them), given the clubs those kits belonged
 * to. A kit's detail is tagged with that parent already; what lists a club's kits (its kits
 * pages, its seasons) is tagged `club_kits:<id>`, and every other list is a kit family: so the
 * clubs and the families cover every entry without one tag per kit.
 */
export function cascadedKitsChangeTags(teamIds: readonly number[]): string[] {
  return [Family.kitsList, Family.kitsBulk, Family.searchKits, ...teamIds.map((id) => Tag.clubKits(id))];
}

/**
 * A kit's writes drop the kit, the kit families, and the lists of its club and season — old and
 * new ones when it moves. When neither side's keys are known (a relation-only change) the kit's
 * row is read before commit (`lookUp`).
 */
@Injectable()
@InvalidatesOn(Kit)
export class KitInvalidation implements InvalidationRules<Kit> {
  changed({ operation, id, before, after }: RowChange<Kit>): ChangeTags {
    const old = operation === 'insert' ? [] : kitKeys(id, before);
    const now = operation === 'delete' ? [] : kitKeys(id, after, before);
    const tags = new Set<string>([...kitChangeTags(undefined, undefined), Tag.kit(id)]);
    for (const keys of [...old, ...now]) for (const tag of kitChangeTags(keys, undefined)) tags.add(tag);
    return { tags: [...tags], lookUp: old.length === 0 && now.length === 0 };
  }

  /** Its competitions or secondary colours changed: TypeORM sends no event for the kit itself. */
  relationChanged(id: number): ChangeTags {
    return this.changed({ operation: 'update', id });
  }

  /** The club and season of kits whose relations changed (one query per transaction). */
  async lookUp(ids: readonly number[], runner: QueryRunner): Promise<string[]> {
    const kits = await runner.manager.find(Kit, {
      select: { id: true, teamId: true, seasonId: true },
      where: { id: In([...ids]) },
    });
    // A kit deleted in the same transaction is gone: its removal already collected its tags.
    return kits.flatMap((kit) => kitChangeTags(kit, kit));
  }
}

/** The `kits` column referencing each parent whose deletion the database cascades to its kits. */
const KIT_PARENT_COLUMN = new Map<EntityClass, 'season_id' | 'brand_id' | 'type_id'>([
  [Season, 'season_id'],
  [Brand, 'brand_id'],
  [KitType, 'type_id'],
]);

/**
 * Deleting a season, brand or kit type deletes its kits in the database without an event for
 * them, so their clubs are read before the parent goes. A club is left out: its own change tags
 * already cover its kits' entries.
 */
@Injectable()
@InvalidatesOn(Season, Brand, KitType)
export class KitsDeletedWithParent implements InvalidationRules {
  async removing(parent: EntityClass, id: number, runner: QueryRunner): Promise<string[]> {
    const column = KIT_PARENT_COLUMN.get(parent);
    if (!column) return [];
    // The column name comes from the fixed map above, never from input.
    const rows = (await runner.query(`SELECT DISTINCT team_id FROM kits WHERE ${column} = $1`, [id])) as {
      team_id: string;
    }[];
    return cascadedKitsChangeTags(rows.map((row) => Number(row.team_id)));
  }
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
