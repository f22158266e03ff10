import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ObjectLiteral, Repository } from 'typeorm';
import { Kit, KitDetail, toKitDetailDto } from './fkapi-dist';

/** The kit detail read as the TypeORM docs write it: `findOne` with the relations to load. */
@Injectable()
export class PeerKitsService {
  constructor(@InjectRepository(Kit) private readonly kits: Repository<ObjectLiteral>) {}

  async findOne(id: number): Promise<KitDetail> {
    const kit = await this.kits.findOne({
      where: { id },
      relations: {
        team: true,
        season: true,
        type: true,
        brand: true,
        primaryColor: true,
        competitions: true,
        secondaryColors: true,
      },
      order: { competitions: { id: 'ASC' }, secondaryColors: { id: 'ASC' } },
    });
    if (!kit) throw new NotFoundException(`Kit ${id} not found`);
    return toKitDetailDto(kit);
  }
}
