import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { KitTypeDto, toKitTypeDto } from './dto/kit-type.dto';
import { CreateKitTypeDto, UpdateKitTypeDto } from './dto/write-kit-type.dto';
import { CATEGORY_ORDER, categoriseKitType } from './kit-type-categories';
import { KitType } from './kit-type.entity';
import { KitTypeNotFoundError } from './kit-types.errors';
import { KitTypesRepository } from './kit-types.repository';

@Injectable()
export class KitTypesService {
  constructor(private readonly types: KitTypesRepository) {}

  @Cached('kit_type', { tags: (type: KitTypeDto) => [Tag.kitType(type.id)], cacheType: 'kit_type' })
  async getKitType(id: number): Promise<KitTypeDto> {
    return toKitTypeDto(await this.findOrFail(id));
  }

  /** In the original's order: category, outfield before goalkeeper, priority, name. */
  @Cached('kit_types', {
    key: (page: number, pageSize: number) => ({ args: [], kwargs: { page, page_size: pageSize } }),
    tags: (types: KitTypeDto[]) => [Family.kitTypes, ...types.map((t) => Tag.kitType(t.id))],
    cacheType: 'kit_type',
  })
  async listKitTypes(page: number, pageSize: number): Promise<KitTypeDto[]> {
    return (await this.types.page((page - 1) * pageSize, pageSize)).map(toKitTypeDto);
  }

  async createKitType(input: CreateKitTypeDto): Promise<KitTypeDto> {
    return toKitTypeDto(await this.types.save(newKitType(input)));
  }

  /**
   * The id of the type of that name, created (and categorised from the name) when there is none:
   * what a kit write naming its type (`"type": "GK Away"`) uses.
   */
  async idForName(name: string): Promise<number> {
    const trimmed = name.trim();
    return (await this.types.findOrCreateByName(trimmed, () => newKitType({ name: trimmed }))).id;
  }

  async updateKitType(id: number, input: UpdateKitTypeDto): Promise<KitTypeDto> {
    const type = await this.findOrFail(id);
    if (input.name !== undefined) type.name = input.name;
    if (input.category !== undefined) {
      type.category = input.category;
      type.categoryOrder = CATEGORY_ORDER[input.category];
    }
    if (input.order_priority !== undefined) type.orderPriority = input.order_priority;
    if (input.is_goalkeeper !== undefined) type.isGoalkeeper = input.is_goalkeeper;
    return toKitTypeDto(await this.types.save(type));
  }

  /** Deletes the type and, as in the original (ON DELETE CASCADE), its kits. */
  async deleteKitType(id: number): Promise<void> {
    await this.types.remove(await this.findOrFail(id));
  }

  private async findOrFail(id: number): Promise<KitType> {
    const type = await this.types.findById(id);
    if (!type) throw new KitTypeNotFoundError(id);
    return type;
  }
}

/** A new type: what the request leaves out comes from the name's categorisation. */
function newKitType(input: CreateKitTypeDto): KitType {
  const derived = categoriseKitType(input.name);
  const category = input.category ?? derived.category;
  return Object.assign(new KitType(), {
    name: input.name,
    category,
    categoryOrder: CATEGORY_ORDER[category],
    orderPriority: input.order_priority ?? derived.orderPriority,
    isGoalkeeper: input.is_goalkeeper ?? derived.isGoalkeeper,
  });
}
