import { ApiProperty } from '@nestjs/swagger';
import { ClubDto, toClubDto } from '../../clubs/dto/club.dto';
import { DEFAULT_LOGO_URL } from '../../clubs/clubs.repository';
import { KIT_TYPE_CATEGORIES, KitTypeCategory } from '../../kit-types/kit-type.entity';
import { Kit } from '../kit.entity';
import { toKitTypeDto } from '../../kit-types/dto/kit-type.dto';

export class KitSeasonDto {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ example: '2024-25' }) year!: string;
  @ApiProperty({ example: '2024' }) first_year!: string;
  @ApiProperty({ type: String, nullable: true, example: '2025' }) second_year!: string | null;
}

export class KitCompetitionDto {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'Premier League' }) name!: string;
  @ApiProperty({ example: 'premier-league-kits' }) slug!: string;
  @ApiProperty({ description: 'The placeholder logo when the competition has none' }) logo!: string;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GB' }) country!: string | null;
}

export class KitTypeInfoDto {
  @ApiProperty({ example: 1 }) id!: number;
  @ApiProperty({ example: 'Home' }) name!: string;
  @ApiProperty({ enum: KIT_TYPE_CATEGORIES, example: 'match' }) category!: KitTypeCategory;
  @ApiProperty({ example: 1 }) category_order!: number;
  @ApiProperty({ example: 1 }) order_priority!: number;
  @ApiProperty({ example: false }) is_goalkeeper!: boolean;
}

export class KitBrandDto {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'adidas' }) name!: string;
  @ApiProperty({ example: 'adidas-kits' }) slug!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
}

export class KitColorDto {
  @ApiProperty({ example: 2 }) id!: number;
  @ApiProperty({ example: 'Red' }) name!: string;
  @ApiProperty({ example: '#FF0000' }) color!: string;
}

/** The reference's KitJsonSchema plus the kit's `id` and `rating`. */
export class KitDetailDto {
  @ApiProperty({ example: 101 }) id!: number;
  @ApiProperty({ example: 'Arsenal 2024-25 Home' }) name!: string;
  @ApiProperty({ example: 'arsenal-2024-25-home-kit' }) slug!: string;
  @ApiProperty({ type: ClubDto }) team!: ClubDto;
  @ApiProperty({ type: KitSeasonDto }) season!: KitSeasonDto;
  @ApiProperty({ type: [KitCompetitionDto], description: 'Ordered by id' }) competition!: KitCompetitionDto[];
  @ApiProperty({ type: KitTypeInfoDto }) type!: KitTypeInfoDto;
  @ApiProperty({ type: KitBrandDto }) brand!: KitBrandDto;
  @ApiProperty({ type: String, nullable: true, example: 'Plain' }) design!: string | null;
  // Inline rather than a `$ref`: OpenAPI 3.0 ignores `nullable` next to a bare `$ref`/`allOf`,
  // so validators would refuse the `null` of every kit without a primary colour.
  @ApiProperty({
    type: 'object',
    nullable: true,
    required: ['id', 'name', 'color'],
    properties: {
      id: { type: 'integer', example: 2 },
      name: { type: 'string', example: 'Red' },
      color: { type: 'string', example: '#FF0000' },
    },
    description: 'A KitColorDto, or null when the kit has no primary colour',
  })
  primary_color!: KitColorDto | null;
  @ApiProperty({ type: [KitColorDto], description: 'Ordered by id' }) secondary_color!: KitColorDto[];
  @ApiProperty() main_img_url!: string;
  @ApiProperty({ example: 4.42, description: 'User rating 0..9.99 (0 when unknown)' }) rating!: number;
}

/** `kit` must have been read with every relation (`KitsRepository.findDetail`). */
export function toKitDetailDto(kit: Kit): KitDetailDto {
  const { team, season, type, brand } = kit;
  if (!team || !season || !type || !brand) throw new Error(`Kit ${kit.id} was read without its relations`);
  return {
    id: kit.id,
    name: kit.name,
    slug: kit.slug,
    team: toClubDto(team),
    season: {
      id: season.id,
      year: season.year,
      first_year: season.firstYear,
      second_year: season.secondYear,
    },
    competition: (kit.competitions ?? []).map((c) => ({
      id: c.id,
      name: c.name,
      slug: c.slug,
      logo: c.logo || DEFAULT_LOGO_URL,
      logo_dark: c.logoDark,
      country: c.country,
    })),
    type: toKitTypeDto(type),
    brand: {
      id: brand.id,
      name: brand.name,
      slug: brand.slug,
      logo: brand.logo,
      logo_dark: brand.logoDark,
    },
    design: kit.design,
    primary_color: kit.primaryColor
      ? { id: kit.primaryColor.id, name: kit.primaryColor.name, color: kit.primaryColor.color }
      : null,
    secondary_color: (kit.secondaryColors ?? []).map((c) => ({ id: c.id, name: c.name, color: c.color })),
    main_img_url: kit.mainImgUrl,
    rating: kit.rating,
  };
}
