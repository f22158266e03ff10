import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { PaginationQueryDto } from '../../common/dto/pagination.dto';
import { MAX_KEYWORD_LENGTH } from '../../common/search/keyword.dto';
import { NoControlChars } from '../../common/validation/no-control-chars';
import { emptyToUndefined, toArray, toInteger } from '../../common/validation/transforms';
import {
  MAX_BULK_ITEM_LENGTH,
  MAX_BULK_KITS,
  MAX_BULK_PARAM_LENGTH,
  MIN_BULK_KITS,
  parseSlugList,
} from '../bulk-slugs';
import { AVAILABLE_COLORS, AVAILABLE_DESIGNS } from '../kit-filters';

const MIN_YEAR = 1800;
const MAX_YEAR = 2100;
/** Longer filter values are refused before they are echoed in a 400 message. */
const MAX_FILTER_LENGTH = 100;
const MAX_SECONDARY_COLORS = 50;

/** The reference treats an empty filter as "not given"; anything else must be an integer. */
const optionalInteger = (params: TransformFnParams): unknown =>
  toInteger({ ...params, value: emptyToUndefined(params) });

const optionalTrimmed = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? (value.trim() === '' ? undefined : value.trim()) : value;

const optionalUpperCase = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? (value.trim() === '' ? undefined : value.trim().toUpperCase()) : value;

/** Repeated `secondary_color`, empty values dropped; none left means "not given". */
const colorList = (params: TransformFnParams): unknown => {
  const list = toArray(params);
  if (!Array.isArray(list)) return list;
  const given = list.filter((item) => item !== '');
  return given.length === 0 ? undefined : given;
};

/** Each slug (after URL extraction) fits the slug column. */
const SlugItemsFit = (): PropertyDecorator =>
  ValidateBy({
    name: 'string_too_long',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' ||
        parseSlugList(value).every((slug) => slug.length <= MAX_BULK_ITEM_LENGTH),
      defaultMessage: () => `each item of slugs must be at most ${MAX_BULK_ITEM_LENGTH} characters`,
    },
  });

const IdFilter = (description: string): PropertyDecorator =>
  ApiPropertyOptional({ description, type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export class ClubKitsQueryDto extends PaginationQueryDto {
  @IdFilter('Season id')
  @Transform(optionalInteger)
  @IsOptional()
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(1)
  @IsInt() // class-validator checks bottom-up: the type first
  season?: number;
}

export class KitListQueryDto extends PaginationQueryDto {
  @IdFilter('Club id')
  @Transform(optionalInteger)
  @IsOptional()
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(1)
  @IsInt()
  club?: number;

  @IdFilter('Season id')
  @Transform(optionalInteger)
  @IsOptional()
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(1)
  @IsInt()
  season?: number;

  @ApiPropertyOptional({ description: "The club's ISO 3166-1 alpha-2 code (any case)", example: 'GB' })
  @Transform(optionalUpperCase)
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be a two-letter ISO 3166-1 code' })
  @IsString()
  country?: string;

  @ApiPropertyOptional({
    enum: AVAILABLE_COLORS,
    description: 'Primary colour (exact case); another value answers 400',
  })
  @Transform(emptyToUndefined)
  @IsOptional()
  @MaxLength(MAX_FILTER_LENGTH)
  @IsString()
  primary_color?: string;

  @ApiPropertyOptional({
    enum: AVAILABLE_COLORS,
    isArray: true,
    description:
      'Repeat for several: the kit must have every one among its secondary colours; another value answers 400',
  })
  @Transform(colorList)
  @IsOptional()
  @ArrayMaxSize(MAX_SECONDARY_COLORS)
  @MaxLength(MAX_FILTER_LENGTH, { each: true })
  @IsString({ each: true })
  @IsArray()
  secondary_color?: string[];

  @ApiPropertyOptional({ enum: AVAILABLE_DESIGNS, description: 'Design (exact case, trimmed)' })
  @Transform(optionalTrimmed)
  @IsOptional()
  @MaxLength(MAX_FILTER_LENGTH)
  @IsString()
  design?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_YEAR,
    maximum: MAX_YEAR,
    description: "The season's first or second year",
  })
  @Transform(optionalInteger)
  @IsOptional()
  @Max(MAX_YEAR)
  @Min(MIN_YEAR)
  @IsInt()
  year?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR })
  @Transform(optionalInteger)
  @IsOptional()
  @Max(MAX_YEAR)
  @Min(MIN_YEAR)
  @IsInt()
  first_year?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: MIN_YEAR, maximum: MAX_YEAR })
  @Transform(optionalInteger)
  @IsOptional()
  @Max(MAX_YEAR)
  @Min(MIN_YEAR)
  @IsInt()
  second_year?: number;
}

export class KitSearchQueryDto {
  @ApiPropertyOptional({
    description:
      'Kit name words, optionally with a year ("Málaga 2003"); accent- and case-insensitive. Missing or blank: []',
    maxLength: MAX_KEYWORD_LENGTH,
    example: 'arsenal 2024',
  })
  @IsOptional()
  @MaxLength(MAX_KEYWORD_LENGTH)
  @NoControlChars()
  @IsString()
  keyword?: string;
}

export class KitBulkQueryDto {
  @ApiProperty({
    description: `${MIN_BULK_KITS} to ${MAX_BULK_KITS} comma-separated kit slugs or footballkitarchive URLs; answered in this order`,
    maxLength: MAX_BULK_PARAM_LENGTH,
    example: 'arsenal-2024-25-home-kit,https://www.footballkitarchive.com/liverpool-2024-25-away-kit/',
  })
  @IsDefined({ message: 'slugs is required' })
  @SlugItemsFit()
  @MaxLength(MAX_BULK_PARAM_LENGTH)
  @NoControlChars()
  @IsString()
  slugs!: string;
}
