import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../cache/invalidation-rules';
import { Brand } from './brand.entity';

/** What a committed write of a brand drops; deleting it cascades to its kits, which sit in kit lists and searches. */
export function brandChangeTags(id: number): string[] {
  return [Tag.brand(id), Family.searchBrands, Family.kitsList, Family.searchKits];
}

@Injectable()
@InvalidatesOn(Brand)
export class BrandInvalidation implements InvalidationRules<Brand> {
  changed({ id }: RowChange<Brand>): string[] {
    return brandChangeTags(id);
  }
}
