import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_LOGO_URL } from '../../clubs/clubs.repository';
import { Competition } from '../competition.entity';

/** A competition: search results (the reference's CompetitionJsonSchema), detail endpoint, writes. */
export class CompetitionDto {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'Premier League' }) name!: string;
  @ApiProperty({ example: 'premier-league-kits' }) slug!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GB', description: 'ISO 3166-1 alpha-2' }) country!:
    string | null;
}

/** A competition search result: `logo` is never empty, as in the reference. */
export class CompetitionSearchItemDto extends CompetitionDto {
  @ApiProperty({
    type: String,
    nullable: false,
    description: `The site's placeholder (${DEFAULT_LOGO_URL}) when the competition has none`,
  })
  declare logo: string;
}

/** As stored, so that what a write sets is what a read returns. */
export function toCompetitionDto(competition: Competition): CompetitionDto {
  return {
    id: competition.id,
    name: competition.name,
    slug: competition.slug,
    logo: competition.logo,
    logo_dark: competition.logoDark,
    country: competition.country,
  };
}

export function toCompetitionSearchItem(competition: Competition): CompetitionSearchItemDto {
  return { ...toCompetitionDto(competition), logo: competition.logo || DEFAULT_LOGO_URL };
}
