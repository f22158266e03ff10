import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Color } from './color.entity';

/** Every query on colours. */
@Injectable()
export class ColorsRepository {
  constructor(
    @InjectRepository(Color) private readonly colors: Repository<Color>,
    private readonly dataSource: DataSource,
  ) {}

  findById(id: number): Promise<Color | null> {
    return this.colors.findOneBy({ id });
  }

  page(offset: number, limit: number): Promise<Color[]> {
    return this.colors.find({ order: { id: 'ASC' }, skip: offset, take: limit });
  }

  /**
   * The colour of that exact name (the oldest if several), or a new one built by `create`;
   * concurrent writers of one new name serialise on an advisory lock of the name.
   */
  findOrCreateByName(name: string, create: () => Color): Promise<Color> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('colors:' || $1))`, [name]);
      const existing = await manager.findOne(Color, { where: { name }, order: { id: 'ASC' } });
      return existing ?? manager.save(Color, create());
    });
  }

  /** Inserts or updates through the entity path inside a transaction, so the subscriber sees it. */
  save(color: Color): Promise<Color> {
    return this.dataSource.transaction((manager) => manager.save(Color, color));
  }

  /** Deletes the colour; kits keep existing (primary colour set to null, secondary link dropped). */
  remove(color: Color): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      await manager.remove(Color, color);
    });
  }
}
