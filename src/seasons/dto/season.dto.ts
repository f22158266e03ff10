import { ApiProperty } from '@nestjs/swagger';
import { Season } from '../season.entity';

/** A season in full: detail endpoint, writes. */
export class SeasonDto {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ example: '2024-25' }) year!: string;
  @ApiProperty({ example: '2024' }) first_year!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: '2025',
    description: 'null for a single-year season',
  })
  second_year!: string | null;
}

/** A season in lists (a club's seasons, season search), as the reference's SeasonSerializer. */
export class SeasonItemDto {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ example: '2024-25' }) year!: string;
}

export function toSeasonDto(season: Season): SeasonDto {
  return {
    id: season.id,
    year: season.year,
    first_year: season.firstYear,
    second_year: season.secondYear,
  };
}

export function toSeasonItem(season: Season): SeasonItemDto {
  return { id: season.id, year: season.year };
}
