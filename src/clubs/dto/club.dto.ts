import { ApiProperty } from '@nestjs/swagger';
import { PaginationDto } from '../../common/dto/pagination.dto';
import { Club } from '../club.entity';

/** A club in full: detail endpoint, kit detail's `team`, writes. */
export class ClubDto {
  @ApiProperty({ example: 4 }) id!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Id on footballkitarchive.com' }) id_fka!:
    number | null;
  @ApiProperty({ example: 'Arsenal' }) name!: string;
  @ApiProperty({ example: 'arsenal-kits' }) slug!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GB', description: 'ISO 3166-1 alpha-2' }) country!:
    string | null;
}

/** A club search result, as in the reference (`logo` is null rather than a 500 when missing). */
export class ClubSearchItemDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
}

export class RandomClubDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() logo!: string;
  @ApiProperty({ type: String, nullable: true }) country!: string | null;
  @ApiProperty() kit_count!: number;
}

export class RandomClubsPageDto {
  @ApiProperty({ type: [RandomClubDto] }) clubs!: RandomClubDto[];
  @ApiProperty({ type: PaginationDto }) pagination!: PaginationDto;
}

export function toClubDto(club: Club): ClubDto {
  return {
    id: club.id,
    id_fka: club.idFka,
    name: club.name,
    slug: club.slug,
    logo: club.logo,
    logo_dark: club.logoDark,
    country: club.country,
  };
}

export function toClubSearchItem(club: Club): ClubSearchItemDto {
  return { id: club.id, name: club.name, slug: club.slug, logo: club.logo };
}
