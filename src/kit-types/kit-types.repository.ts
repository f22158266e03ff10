import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { KitType } from './kit-type.entity';

/** Every query on kit types. */
@Injectable()
export class KitTypesRepository {
  constructor(
    @InjectRepository(KitType) private readonly types: Repository<KitType>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: number): Promise<KitType | null> {
    return this.types.findOneBy({ id });
  }

  /** The original's default ordering of kit types, then id so that pages are stable. */
  page(offset: number, limit: number): Promise<KitType[]> {
    return this.types.find({
      order: { categoryOrder: 'ASC', isGoalkeeper: 'ASC', orderPriority: 'ASC', name: 'ASC', id: 'ASC' },
      skip: offset,
      take: limit,
    });
  }

  /**
   * The type of that exact name (the oldest if several), or a new one built by `create`. Two
   * concurrent writers naming the same new type serialise on a transaction-scoped advisory lock
   * of the name, so the second finds the first one's row instead of inserting a duplicate.
   */
  findOrCreateByName(name: string, create: () => KitType): Promise<KitType> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('kit_types:' || $1))`, [name]);
      const existing = await manager.findOne(KitType, { where: { name }, order: { id: 'ASC' } });
      return existing ?? manager.save(KitType, create());
    });
  }

  /** Inserts or updates through the entity path inside a transaction, so the subscriber sees it. */
  save(type: KitType): Promise<KitType> {
    return this.dataSource.transaction((manager) => manager.save(KitType, type));
  }

  /** Deletes the type; the database deletes its kits with it (`ON DELETE CASCADE`). */
  remove(type: KitType): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(KitType, type);
    });
  }
}
