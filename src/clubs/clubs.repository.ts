import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { DuplicateValueError } from '../common/errors/domain-errors';
import { applyNameSearch } from '../common/search/name-search';
import { Club } from './club.entity';

export const DEFAULT_LOGO_URL = 'https://www.footballkitarchive.com/static/logos/not_found.png';

export interface ClubWithKitCount {
  club: Club;
  kitCount: number;
}

/** Every query on clubs. */
@Injectable()
export class ClubsRepository {
  constructor(
    @InjectRepository(Club) private readonly clubs: Repository<Club>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: number): Promise<Club | null> {
    return this.clubs.findOneBy({ id });
  }

  /** The clubs with the most kits, most first (ties: lower id first): what `cache warm` reads. */
  async idsWithMostKits(limit: number): Promise<number[]> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      'SELECT team_id::int AS id FROM kits GROUP BY team_id ORDER BY count(*) DESC, team_id LIMIT $1',
      [limit],
    );
    return rows.map((row) => row.id);
  }

  async exists(id: number, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return manager.exists(Club, { where: { id } });
  }

  search(keyword: string, limit: number): Promise<Club[]> {
    return applyNameSearch(this.clubs.createQueryBuilder('club'), 'club', keyword, limit).getMany();
  }

  /** Clubs with a real logo, in random order, with their kit counts: one query for the page, one for the total. */
  async randomPage(offset: number, limit: number): Promise<ClubWithKitCount[]> {
    const rows = await this.dataSource.query<
      {
        id: number;
        id_fka: number | null;
        name: string;
        slug: string;
        logo: string;
        logo_dark: string | null;
        country: string | null;
        kit_count: number;
      }[]
    >(
      `WITH picked AS (
         SELECT * FROM clubs
         WHERE logo IS NOT NULL AND logo <> '' AND logo <> $1
         ORDER BY random() LIMIT $2 OFFSET $3)
       SELECT picked.*, (SELECT count(*) FROM kits WHERE kits.team_id = picked.id)::int AS kit_count FROM picked`,
      [DEFAULT_LOGO_URL, limit, offset],
    );
    return rows.map((row) => ({
      club: Object.assign(new Club(), {
        id: row.id,
        idFka: row.id_fka,
        name: row.name,
        slug: row.slug,
        logo: row.logo,
        logoDark: row.logo_dark,
        country: row.country,
      }),
      kitCount: row.kit_count,
    }));
  }

  countWithLogo(): Promise<number> {
    return this.clubs
      .createQueryBuilder('club')
      .where("club.logo IS NOT NULL AND club.logo <> '' AND club.logo <> :placeholder", {
        placeholder: DEFAULT_LOGO_URL,
      })
      .getCount();
  }

  /** Inserts or updates through the entity path inside a transaction, so the subscriber sees it. */
  save(club: Club): Promise<Club> {
    return this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOne(Club, { select: { id: true }, where: { slug: club.slug } });
      if (owner && owner.id !== club.id) throw new DuplicateValueError('slug', club.slug);
      return manager.save(Club, club);
    });
  }

  remove(club: Club): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(Club, club);
    });
  }
}
