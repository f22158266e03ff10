import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../cache/invalidation-rules';
import { KitType } from './kit-type.entity';

/** What a committed write of a kit type drops: what embeds it (kit details), kit-type lists and kit searches. */
export function kitTypeChangeTags(id: number): string[] {
  return [Tag.kitType(id), Family.kitTypes, Family.searchKits];
}

/** The kit-types module's rules, beside its `@Cached` reads. */
@Injectable()
@InvalidatesOn(KitType)
export class KitTypeInvalidation implements InvalidationRules<KitType> {
  changed({ id }: RowChange<KitType>): string[] {
    return kitTypeChangeTags(id);
  }
}
