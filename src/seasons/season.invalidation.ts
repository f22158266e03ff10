import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../cache/invalidation-rules';
import { Season } from './season.entity';

/**
 * What a committed write of a season drops: what embeds it, what lists its kits, season and kit
 * searches, and kit lists (filtered by it). Its kits deleted with it: `kits/kit.invalidation.ts`.
 */
export function seasonChangeTags(id: number): string[] {
  return [Tag.season(id), Tag.seasonKits(id), Family.searchSeasons, Family.searchKits, Family.kitsList];
}

@Injectable()
@InvalidatesOn(Season)
export class SeasonInvalidation implements InvalidationRules<Season> {
  changed({ id }: RowChange<Season>): string[] {
    return seasonChangeTags(id);
  }
}
