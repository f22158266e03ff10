import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { InvalidatesOn, InvalidationRules, RowChange } from '../cache/invalidation-rules';
import { Competition } from './competition.entity';

/** What a committed write of a competition drops: what embeds it and competition searches. */
export function competitionChangeTags(id: number): string[] {
  return [Tag.competition(id), Family.searchCompetitions];
}

@Injectable()
@InvalidatesOn(Competition)
export class CompetitionInvalidation implements InvalidationRules<Competition> {
  changed({ id }: RowChange<Competition>): string[] {
    return competitionChangeTags(id);
  }
}
