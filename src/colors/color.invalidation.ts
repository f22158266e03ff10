import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../cache/invalidation-rules';
import { Color } from './color.entity';

/** What a committed write of a colour drops: what embeds it (kit details), colour lists and kit lists (filtered by it). */
export function colorChangeTags(id: number): string[] {
  return [Tag.color(id), Family.colors, Family.kitsList];
}

/** The colours module's rules, beside its `@Cached` reads. */
@Injectable()
@InvalidatesOn(Color)
export class ColorInvalidation implements InvalidationRules<Color> {
  changed({ id }: RowChange<Color>): string[] {
    return colorChangeTags(id);
  }
}
