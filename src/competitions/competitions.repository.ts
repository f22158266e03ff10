import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DuplicateValueError } from '../common/errors/domain-errors';
import { applyNameSearch } from '../common/search/name-search';
import { Competition } from './competition.entity';

/** Every query on competitions. */
@Injectable()
export class CompetitionsRepository {
  constructor(
    @InjectRepository(Competition) private readonly competitions: Repository<Competition>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: number): Promise<Competition | null> {
    return this.competitions.findOneBy({ id });
  }

  search(keyword: string, limit: number): Promise<Competition[]> {
    return applyNameSearch(
      this.competitions.createQueryBuilder('competition'),
      'competition',
      keyword,
      limit,
    ).getMany();
  }

  /** Inserts or updates through the entity path inside a transaction, so the subscriber sees it. */
  save(competition: Competition): Promise<Competition> {
    return this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOne(Competition, {
        select: { id: true },
        where: { slug: competition.slug },
      });
      if (owner && owner.id !== competition.id) throw new DuplicateValueError('slug', competition.slug);
      return manager.save(Competition, competition);
    });
  }

  remove(competition: Competition): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(Competition, competition);
    });
  }
}
