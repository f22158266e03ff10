import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { escapeLike } from '../common/search/name-search';
import { Kit } from './kit.entity';
import { KitListFilter } from './kit-filters';
import { NameTier } from './kit-search';
import { KitWrite, removeKit, saveKit } from './kit-writes';
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

  /** Inserts (`id` undefined) or updates a kit, in one transaction (`kit-writes.ts`). Returns the id. */
  save(id: number | undefined, write: KitWrite): Promise<number> {
    return this.dataSource.transaction((manager) => saveKit(manager, id, write));
  }

  remove(id: number): Promise<void> {
    return this.dataSource.transaction((manager) => removeKit(manager, id));
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
