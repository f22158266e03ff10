import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DuplicateValueError } from '../common/errors/domain-errors';
import { applyNameSearch } from '../common/search/name-search';
import { Brand } from './brand.entity';

/** Every query on brands. */
@Injectable()
export class BrandsRepository {
  constructor(
    @InjectRepository(Brand) private readonly brands: Repository<Brand>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: number): Promise<Brand | null> {
    return this.brands.findOneBy({ id });
  }

  /** The brands with the most kits, most first (ties: lower id first): what `cache warm` reads. */
  async idsWithMostKits(limit: number): Promise<number[]> {
    const rows = await this.dataSource.query<{ id: number }[]>(
      'SELECT brand_id::int AS id FROM kits GROUP BY brand_id ORDER BY count(*) DESC, brand_id LIMIT $1',
      [limit],
    );
    return rows.map((row) => row.id);
  }

  search(keyword: string, limit: number): Promise<Brand[]> {
    return applyNameSearch(this.brands.createQueryBuilder('brand'), 'brand', keyword, limit).getMany();
  }

  /** Inserts or updates through the entity path inside a transaction, so the subscriber sees it. */
  save(brand: Brand): Promise<Brand> {
    return this.dataSource.transaction(async (manager) => {
      const owner = await manager.findOne(Brand, { select: { id: true }, where: { slug: brand.slug } });
      if (owner && owner.id !== brand.id) throw new DuplicateValueError('slug', brand.slug);
      return manager.save(Brand, brand);
    });
  }

  remove(brand: Brand): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(Brand, brand);
    });
  }
}
