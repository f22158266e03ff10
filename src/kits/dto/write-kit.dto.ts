import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { NameField, OptionalUrlField, SlugField } from '../../common/validation/write-fields';
import { AVAILABLE_DESIGNS } from '../kit-filters';

const MAX_COMPETITIONS = 50;
const MAX_SECONDARY_COLORS = 10;
const MAX_RATING = 9.99;

/** A required id of a related row (decorators run in the order listed: the type first). */
const RelatedId = (): PropertyDecorator =>
  applyDecorators(
    IsInt(),
    Min(1),
    Max(Number.MAX_SAFE_INTEGER),
    IsDefined({ message: 'a related id is required' }),
  );

/** A list of distinct ids of related rows; `null` is refused (send [] to clear). */
const RelatedIds = (max: number): PropertyDecorator =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(max),
    ArrayUnique(),
    IsInt({ each: true }),
    Min(1, { each: true }),
    Max(Number.MAX_SAFE_INTEGER, { each: true }),
    ValidateIf((_, value) => value !== undefined),
  );

/** A related row named instead of given by id: trimmed, 1..100 characters. */
const RelatedName = (): PropertyDecorator =>
  applyDecorators(
    NameField(100),
    ValidateIf((_, value) => value !== undefined),
  );

/** Refuses the property when `other` is also given: a row is named by id or by name, not both. */
const NotWith = (other: string): PropertyDecorator =>
  ValidateBy({
    name: 'not_with',
    validator: {
      validate: (value: unknown, args) =>
        value === undefined || (args?.object as Record<string, unknown>)[other] === undefined,
      defaultMessage: (args) => `give ${args?.property ?? 'it'} or ${other}, not both`,
    },
  });

/** Required unless the kit names the row with `byName` instead. */
const idUnlessNamed = (byName: string) =>
  ValidateIf((object: Record<string, unknown>, value) => value !== undefined || object[byName] === undefined);

export class CreateKitDto {
  @ApiProperty({ example: 'Arsenal 2024-25 Home', maxLength: 100 }) @NameField(100) name!: string;

  @ApiPropertyOptional({
    example: 'arsenal-2024-25-home-kit',
    description: 'Derived from the name (+ "-kit") when absent',
  })
  @SlugField()
  slug?: string;

  @ApiProperty({ description: 'Club id' }) @RelatedId() team_id!: number;
  @ApiProperty({ description: 'Season id' }) @RelatedId() season_id!: number;
  @ApiPropertyOptional({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Kit type id; required unless `type` names the type',
  })
  @RelatedId()
  @idUnlessNamed('type')
  type_id?: number;

  @ApiPropertyOptional({
    example: 'GK Away',
    maxLength: 100,
    description:
      'Kit type by name instead of `type_id`: the type of that exact name, created when there is none ' +
      '(its category, goalkeeper flag and priority derived from the name)',
  })
  @NotWith('type_id')
  @RelatedName()
  type?: string;
  @ApiProperty({ description: 'Brand id' }) @RelatedId() brand_id!: number;

  @ApiPropertyOptional({ type: [Number], maxItems: MAX_COMPETITIONS, description: 'Competition ids' })
  @RelatedIds(MAX_COMPETITIONS)
  competition_ids?: number[];

  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Colour id' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(1)
  @IsInt()
  primary_color_id?: number | null;

  @ApiPropertyOptional({
    example: 'Red',
    maxLength: 100,
    description: 'Primary colour by name instead of `primary_color_id`, created when there is none',
  })
  @NotWith('primary_color_id')
  @RelatedName()
  primary_color?: string;

  @ApiPropertyOptional({ type: [Number], maxItems: MAX_SECONDARY_COLORS, description: 'Colour ids' })
  @RelatedIds(MAX_SECONDARY_COLORS)
  secondary_color_ids?: number[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_SECONDARY_COLORS,
    example: ['White'],
    description:
      'Secondary colours by name instead of `secondary_color_ids`, each created when there is none',
  })
  @NotWith('secondary_color_ids')
  @MaxLength(100, { each: true })
  @MinLength(1, { each: true })
  @IsString({ each: true })
  @ArrayUnique()
  @ArrayMaxSize(MAX_SECONDARY_COLORS)
  @IsArray()
  @ValidateIf((_, value) => value !== undefined)
  secondary_color?: string[];

  @ApiPropertyOptional({ enum: AVAILABLE_DESIGNS, nullable: true })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsIn(AVAILABLE_DESIGNS)
  design?: string | null;

  @ApiProperty({ format: 'uri', maxLength: 200 })
  @IsDefined({ message: 'main_img_url is required' })
  @MaxLength(200)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
  @IsString()
  main_img_url!: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_RATING, default: 0, description: 'At most 2 decimals' })
  @ValidateIf((_, value) => value !== undefined)
  @Max(MAX_RATING)
  @Min(0)
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  rating?: number;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20, description: 'Id on the source site' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @MaxLength(20)
  @IsString()
  kit_id?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri', description: 'FootyHeadlines link' })
  @OptionalUrlField()
  fh_link?: string | null;
}

/** Every field optional; `null` only where the column is nullable. */
export class UpdateKitDto extends PartialType(CreateKitDto, { skipNullProperties: false }) {}
