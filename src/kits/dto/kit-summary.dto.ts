import { ApiProperty } from '@nestjs/swagger';
import { PaginationDto } from '../../common/dto/pagination.dto';
import { Kit } from '../kit.entity';
import { RandomKitRow } from '../kits.repository';

/** An item of the kit lists (`/api/kits`, `/api/clubs/{id}/kits`): the reference's KitSerializer. */
export class KitListItemDto {
  @ApiProperty({ example: 101 }) id!: number;
  @ApiProperty({ example: 'Arsenal 2024-25 Home' }) name!: string;
  @ApiProperty({ example: 'https://cdn.footballkitarchive.com/2024/06/01/abc.jpg' }) main_img_url!: string;
}

export class KitSearchItemDto {
  @ApiProperty({ example: 5521 }) id!: number;
  @ApiProperty({ example: 'Málaga 2002-03 Home' }) name!: string;
  @ApiProperty() main_img_url!: string;
  @ApiProperty({ example: 'Málaga' }) team_name!: string;
  @ApiProperty({ example: '2002-03' }) season_year!: string;
}

export class KitBulkTeamDto {
  @ApiProperty({ example: 4 }) id!: number;
  @ApiProperty({ example: 'Arsenal' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GB' }) country!: string | null;
}

export class KitBulkSeasonDto {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ example: '2024-25' }) year!: string;
}

export class KitBulkBrandDto {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'adidas' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
}

/** The reference's KitBulkSchema plus ids and the slug. */
export class KitBulkItemDto {
  @ApiProperty({ example: 101 }) id!: number;
  @ApiProperty({ example: 'Arsenal 2024-25 Home' }) name!: string;
  @ApiProperty({ example: 'arsenal-2024-25-home-kit' }) slug!: string;
  @ApiProperty({ type: KitBulkTeamDto }) team!: KitBulkTeamDto;
  @ApiProperty({ type: KitBulkSeasonDto }) season!: KitBulkSeasonDto;
  @ApiProperty({ type: KitBulkBrandDto }) brand!: KitBulkBrandDto;
  @ApiProperty() main_img_url!: string;
}

export class RandomKitDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() slug!: string;
  @ApiProperty() main_img_url!: string;
  @ApiProperty() team_name!: string;
  @ApiProperty() season_year!: string;
  @ApiProperty() type_name!: string;
  @ApiProperty() brand_name!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null when the rating is 0' }) rating!:
    number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Red / White',
    description: '"Primary / first secondary", "Primary", or null without a primary colour',
  })
  colors!: string | null;
  @ApiProperty({ type: String, nullable: true }) design!: string | null;
}

export class RandomKitsPageDto {
  @ApiProperty({ type: [RandomKitDto] }) kits!: RandomKitDto[];
  @ApiProperty({ type: PaginationDto }) pagination!: PaginationDto;
}

export function toKitListItem(kit: Pick<Kit, 'id' | 'name' | 'mainImgUrl'>): KitListItemDto {
  return { id: kit.id, name: kit.name, main_img_url: kit.mainImgUrl };
}

/** `kit` must have been read with its team and season. */
export function toKitSearchItem(kit: Kit): KitSearchItemDto {
  return {
    id: kit.id,
    name: kit.name,
    main_img_url: kit.mainImgUrl,
    team_name: kit.team?.name ?? '',
    season_year: kit.season?.year ?? '',
  };
}

/** `kit` must have been read with its team, season and brand. */
export function toKitBulkItem(kit: Kit): KitBulkItemDto {
  const { team, season, brand } = kit;
  if (!team || !season || !brand) throw new Error(`Kit ${kit.id} was read without its relations`);
  return {
    id: kit.id,
    name: kit.name,
    slug: kit.slug,
    team: {
      id: team.id,
      name: team.name,
      logo: team.logo,
      logo_dark: team.logoDark,
      country: team.country,
    },
    season: { id: season.id, year: season.year },
    brand: { id: brand.id, name: brand.name, logo: brand.logo, logo_dark: brand.logoDark },
    main_img_url: kit.mainImgUrl,
  };
}

/** The reference's card: `rating` null when 0, `colors` "Primary / First secondary". */
export function toRandomKit(row: RandomKitRow): RandomKitDto {
  const rating = Number(row.rating);
  let colors: string | null = null;
  if (row.primary_color !== null) {
    colors =
      row.first_secondary_color === null
        ? row.primary_color
        : `${row.primary_color} / ${row.first_secondary_color}`;
  }
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    main_img_url: row.main_img_url,
    team_name: row.team_name,
    season_year: row.season_year,
    type_name: row.type_name,
    brand_name: row.brand_name,
    rating: rating === 0 ? null : rating,
    colors,
    design: row.design,
  };
}
