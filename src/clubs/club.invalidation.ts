import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../cache/invalidation-rules';
import { Club } from './club.entity';

/**
 * What a committed insert, update or removal of a club drops. Its name and country appear in kit
 * search results and filter kit lists; deleting it cascades to its kits, so its kits pages and
 * seasons go too (`club_kits:<id>` covers them).
 */
export function clubChangeTags(id: number): string[] {
  return [Tag.club(id), Tag.clubKits(id), Family.searchClubs, Family.searchKits, Family.kitsList];
}

@Injectable()
@InvalidatesOn(Club)
export class ClubInvalidation implements InvalidationRules<Club> {
  changed({ id }: RowChange<Club>): string[] {
    return clubChangeTags(id);
  }
}
