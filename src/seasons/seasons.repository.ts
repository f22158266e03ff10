import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, Repository } from 'typeorm';
import { DuplicateValueError } from '../common/errors/domain-errors';
import { escapeLike } from '../common/search/name-search';
import { Season } from './season.entity';
import { SeasonCondition, SeasonField } from './season-search';

const COLUMNS: Readonly<Record<SeasonField, string>> = {
  year: 'season.year',
  first_year: 'season.firstYear',
  second_year: 'season.secondYear',
};

/** One search condition as SQL with its parameter; LIKE metacharacters in the keyword match literally. */
function conditionSql(condition: SeasonCondition, param: string): [string, string] {
  const column = COLUMNS[condition.field];
  const text = escapeLike(condition.value);
  switch (condition.match) {
    case 'equals':
      return [`${column} = :${param}`, condition.value];
    case 'startsWith':
      return [`${column} LIKE :${param}`, `${text}%`];
    case 'endsWith':
      return [`${column} LIKE :${param}`, `%${text}`];
    case 'contains':
      return [`${column} LIKE :${param}`, `%${text}%`];
    case 'containsIgnoringCase':
      return [`${column} ILIKE :${param}`, `%${text}%`];
  }
}

/**
 * Every query on seasons. Years are sorted as strings in byte order (`COLLATE "C"`), as the
 * original sorts them in Python, whatever the database's collation.
 */
@Injectable()
export class SeasonsRepository {
  constructor(
    @InjectRepository(Season) private readonly seasons: Repository<Season>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: number): Promise<Season | null> {
    return this.seasons.findOneBy({ id });
  }

  /** The seasons in which the club has at least one kit, newest year first (served by the kits (team_id, season_id) index). */
  findByClub(clubId: number): Promise<Season[]> {
    return this.seasons
      .createQueryBuilder('season')
      .where('EXISTS (SELECT 1 FROM kits kit WHERE kit.season_id = season.id AND kit.team_id = :clubId)', {
        clubId,
      })
      .orderBy('season.year COLLATE "C"', 'DESC')
      .getMany();
  }

  /** Seasons meeting any of the conditions, newest year first, at most `limit`. */
  findCandidates(conditions: readonly SeasonCondition[], limit: number): Promise<Season[]> {
    return this.seasons
      .createQueryBuilder('season')
      .where(
        new Brackets((qb) => {
          conditions.forEach((condition, i) => {
            const [sql, value] = conditionSql(condition, `c${i}`);
            qb.orWhere(sql, { [`c${i}`]: value });
          });
        }),
      )
      .orderBy('season.year COLLATE "C"', 'DESC')
      .limit(limit)
      .getMany();
  }

  /** Inserts or updates through the entity path inside a transaction, so the subscriber sees it. */
  save(season: Season): Promise<Season> {
    return this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOne(Season, { select: { id: true }, where: { year: season.year } });
      if (owner && owner.id !== season.id) throw new DuplicateValueError('year', season.year);
      return manager.save(Season, season);
    });
  }

  remove(season: Season): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(Season, season);
    });
  }
}
