import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, Repository, SelectQueryBuilder } from 'typeorm';
import { Color } from '../colors/color.entity';
import { Competition } from '../competitions/competition.entity';
import { DuplicateValueError, UnknownReferenceError } from '../common/errors/domain-errors';
import { escapeLike } from '../common/search/name-search';
import { Kit } from './kit.entity';
import { KitListFilter } from './kit-filters';
import { NameTier } from './kit-search';
import { KitNotFoundError } from './kits.errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { preparedStatementsOf } from '../database/prepared-statements';

/** One row of `randomPage`: what a random-kit card shows, joined in SQL. */
export interface RandomKitRow {
  id: number;
  name: string;
  slug: string;
  main_img_url: string;
  team_name: string;
  season_year: string;
  type_name: string;
  brand_name: string;
  rating: string;
  primary_color: string | null;
  first_secondary_color: string | null;
  design: string | null;
}

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

/** The accent- and case-folded kit name contains the term (LIKE metacharacters taken literally). */
function nameContains(param: string): string {
  return `fkapi_unaccent(lower(kit.name)) LIKE '%' || fkapi_unaccent(lower(:${param})) || '%'`;
}

/** Every query on kits. */
@Injectable()
export class KitsRepository {
  constructor(
    @InjectRepository(Kit) private readonly kits: Repository<Kit>,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // The detail's nine joins take PostgreSQL ten times longer to plan than to run: sent as a
    // named statement, each connection plans it once (`database/prepared-statements.ts`).
    if (config.databasePreparedStatements) {
      preparedStatementsOf(dataSource).register(this.detailQuery(0).getQueryAndParameters()[0]);
    }
  }

  /** A kit with every relation, in one query; competitions and colours ordered by id. */
  findDetail(id: number): Promise<Kit | null> {
    return this.detailQuery(id).getOne();
  }

  private detailQuery(id: number): SelectQueryBuilder<Kit> {
    return this.kits
      .createQueryBuilder('kit')
      .leftJoinAndSelect('kit.team', 'team')
      .leftJoinAndSelect('kit.season', 'season')
      .leftJoinAndSelect('kit.type', 'type')
      .leftJoinAndSelect('kit.brand', 'brand')
      .leftJoinAndSelect('kit.primaryColor', 'primaryColor')
      .leftJoinAndSelect('kit.competitions', 'competition')
      .leftJoinAndSelect('kit.secondaryColors', 'secondaryColor')
      .where('kit.id = :id', { id })
      .orderBy('competition.id', 'ASC')
      .addOrderBy('secondaryColor.id', 'ASC');
  }

  /** The highest kit ids (the newest kits), highest first: what `cache warm` reads. */
  async newestIds(limit: number): Promise<number[]> {
    const rows = await this.kits.find({ select: { id: true }, order: { id: 'DESC' }, take: limit });
    return rows.map((kit) => kit.id);
  }

  /** Kits of a club (optionally of one season), newest first. */
  clubKitsPage(clubId: number, seasonId: number | undefined, offset: number, limit: number): Promise<Kit[]> {
    return this.clubKitsQuery(clubId, seasonId)
      .select(['kit.id', 'kit.name', 'kit.mainImgUrl'])
      .orderBy('kit.id', 'DESC')
      .offset(offset)
      .limit(limit)
      .getMany();
  }

  countClubKits(clubId: number, seasonId: number | undefined): Promise<number> {
    return this.clubKitsQuery(clubId, seasonId).getCount();
  }

  /** `GET /api/kits`: filtered, newest first. */
  listPage(filter: KitListFilter, offset: number, limit: number): Promise<Kit[]> {
    return this.listQuery(filter)
      .select(['kit.id', 'kit.name', 'kit.mainImgUrl'])
      .orderBy('kit.id', 'DESC')
      .offset(offset)
      .limit(limit)
      .getMany();
  }

  countList(filter: KitListFilter): Promise<number> {
    return this.listQuery(filter).getCount();
  }

  /**
   * Search candidates for one name tier, optionally restricted to seasons, in the reference's
   * order: kit type (category, outfield before goalkeeper, priority, name), then newest kit.
   * The name conditions are served by the trigram index on `fkapi_unaccent(lower(name))`.
   */
  searchCandidates(seasonYears: string[] | null, tier: NameTier, limit: number): Promise<Kit[]> {
    const qb = this.kits
      .createQueryBuilder('kit')
      .innerJoin('kit.team', 'team')
      .innerJoin('kit.season', 'season')
      .innerJoin('kit.type', 'type')
      .select(['kit.id', 'kit.name', 'kit.mainImgUrl', 'team.id', 'team.name', 'season.id', 'season.year']);
    if (seasonYears) qb.andWhere('season.year IN (:...seasonYears)', { seasonYears });
    if (tier.terms.length > 0) {
      const conditions = tier.terms.map((_, i) => nameContains(`term${i}`));
      const params = Object.fromEntries(tier.terms.map((term, i) => [`term${i}`, escapeLike(term)]));
      qb.andWhere(`(${conditions.join(tier.mode === 'all' ? ' AND ' : ' OR ')})`, params);
    }
    return qb
      .orderBy('type.categoryOrder', 'ASC')
      .addOrderBy('type.isGoalkeeper', 'ASC')
      .addOrderBy('type.orderPriority', 'ASC')
      .addOrderBy('type.name', 'ASC')
      .addOrderBy('kit.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** Kits with these slugs, with team, season and brand, in one query (in no particular order). */
  findBySlugs(slugs: string[]): Promise<Kit[]> {
    if (slugs.length === 0) return Promise.resolve([]);
    return this.kits
      .createQueryBuilder('kit')
      .innerJoinAndSelect('kit.team', 'team')
      .innerJoinAndSelect('kit.season', 'season')
      .innerJoinAndSelect('kit.brand', 'brand')
      .where('kit.slug IN (:...slugs)', { slugs })
      .getMany();
  }

  /** Kits that have an image: the population of `randomPage`. */
  countWithImage(): Promise<number> {
    return this.kits.createQueryBuilder('kit').where("kit.mainImgUrl <> ''").getCount();
  }

  /**
   * A page of kits with an image in random order, with what a card shows, in one query: the
   * ids are drawn first, then joined. The first secondary colour is the one with the lowest id
   * (the reference's `.first()`).
   */
  randomPage(offset: number, limit: number): Promise<RandomKitRow[]> {
    return this.dataSource.query<RandomKitRow[]>(
      `WITH picked AS (
         SELECT id, random() AS draw FROM kits
         WHERE main_img_url <> ''
         ORDER BY draw LIMIT $1 OFFSET $2)
       SELECT k.id, k.name, k.slug, k.main_img_url, k.rating::text AS rating, k.design,
              club.name AS team_name, season.year AS season_year,
              type.name AS type_name, brand.name AS brand_name,
              primary_color.name AS primary_color,
              (SELECT c.name FROM kit_secondary_colors ksc JOIN colors c ON c.id = ksc.color_id
                WHERE ksc.kit_id = k.id ORDER BY c.id LIMIT 1) AS first_secondary_color
       FROM picked
       JOIN kits k ON k.id = picked.id
       JOIN clubs club ON club.id = k.team_id
       JOIN seasons season ON season.id = k.season_id
       JOIN kit_types type ON type.id = k.type_id
       JOIN brands brand ON brand.id = k.brand_id
       LEFT JOIN colors primary_color ON primary_color.id = k.primary_color_id
       ORDER BY picked.draw`,
      [limit, offset],
    );
  }

  /**
   * Inserts (`id` undefined) or updates a kit through the entity path, in one transaction so the
   * subscriber sees it: every referenced id is checked in one query, then the slug. Returns the id.
   */
  save(id: number | undefined, write: KitWrite): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const kit = id === undefined ? new Kit() : await this.loadForWrite(manager, id, write);
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
      await this.assertReferencesExist(manager, referencesOf(write));
      if (write.columns.slug !== undefined) {
        const owner = await manager.findOne(Kit, { select: { id: true }, where: { slug: kit.slug } });
        if (owner && owner.id !== kit.id) throw new DuplicateValueError('slug', kit.slug);
      }
      return (await manager.save(Kit, kit)).id;
    });
  }

  remove(id: number): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(Kit, await this.loadForWrite(manager, id, { columns: {} }));
    });
  }

  /**
   * The kit without its many-to-one relations: a loaded `team` object would win over a changed
   * `teamId` when TypeORM computes the column to write. The many-to-many lists being replaced are
   * loaded the way TypeORM loads them to diff junction rows (see `replaceIds`).
   */
  private async loadForWrite(manager: EntityManager, id: number, write: KitWrite): Promise<Kit> {
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
  private async assertReferencesExist(manager: EntityManager, references: Reference[]): Promise<void> {
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

  private clubKitsQuery(clubId: number, seasonId: number | undefined): SelectQueryBuilder<Kit> {
    const qb = this.kits.createQueryBuilder('kit').where('kit.teamId = :clubId', { clubId });
    if (seasonId !== undefined) qb.andWhere('kit.seasonId = :seasonId', { seasonId });
    return qb;
  }

  private listQuery(filter: KitListFilter): SelectQueryBuilder<Kit> {
    const qb = this.kits.createQueryBuilder('kit');
    if (filter.clubId !== undefined) qb.andWhere('kit.teamId = :clubId', { clubId: filter.clubId });
    if (filter.seasonId !== undefined) qb.andWhere('kit.seasonId = :seasonId', { seasonId: filter.seasonId });
    if (filter.country !== undefined) {
      qb.innerJoin('kit.team', 'team').andWhere('team.country = :country', { country: filter.country });
    }
    if (filter.primaryColor !== undefined) {
      qb.andWhere('kit.primaryColorId IN (SELECT c.id FROM colors c WHERE c.name = :primaryColor)', {
        primaryColor: filter.primaryColor,
      });
    }
    if (filter.secondaryColors !== undefined) {
      qb.andWhere(
        `kit.id IN (SELECT ksc.kit_id FROM kit_secondary_colors ksc JOIN colors c ON c.id = ksc.color_id
                    WHERE c.name IN (:...secondaryColors)
                    GROUP BY ksc.kit_id HAVING count(DISTINCT c.name) = :secondaryColorCount)`,
        { secondaryColors: filter.secondaryColors, secondaryColorCount: filter.secondaryColors.length },
      );
    }
    if (filter.design !== undefined) qb.andWhere('kit.design = :design', { design: filter.design });
    const { year, firstYear, secondYear } = filter;
    if (year !== undefined || firstYear !== undefined || secondYear !== undefined) {
      qb.innerJoin('kit.season', 'season');
      if (year !== undefined) {
        qb.andWhere(
          new Brackets((w) => {
            w.where('season.firstYear = :year', { year }).orWhere('season.secondYear = :year', { year });
          }),
        );
      }
      if (firstYear !== undefined) qb.andWhere('season.firstYear = :firstYear', { firstYear });
      if (secondYear !== undefined) qb.andWhere('season.secondYear = :secondYear', { secondYear });
    }
    return qb;
  }
}
