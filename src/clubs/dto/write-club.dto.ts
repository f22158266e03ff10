import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsInt, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import {
  NameField,
  OptionalCountryField,
  OptionalUrlField,
  SLUG_PATTERN,
  SlugField,
} from '../../common/validation/write-fields';

export class CreateClubDto {
  @ApiProperty({ example: 'Arsenal', maxLength: 500 }) @NameField(500) name!: string;
  @ApiPropertyOptional({
    example: 'arsenal-kits',
    description: 'Derived from the name (+ "-kits") when absent',
  })
  @SlugField()
  slug?: string;
  @ApiPropertyOptional({ type: Number, nullable: true })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  id_fka?: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) @OptionalUrlField() logo?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) @OptionalUrlField() logo_dark?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'GB' }) @OptionalCountryField() country?:
    string | null;
}

/** Every field optional, but `name` and `slug` cannot be cleared (`null` is a 422). */
export class UpdateClubDto extends PartialType(OmitType(CreateClubDto, ['name', 'slug'] as const)) {
  @ApiPropertyOptional({ example: 'Arsenal', maxLength: 500 })
  @ValidateIf((_, value) => value !== undefined)
  @NameField(500)
  name?: string;

  @ApiPropertyOptional({ example: 'arsenal-kits' })
  @ValidateIf((_, value) => value !== undefined)
  @Matches(SLUG_PATTERN, { message: 'slug may contain only letters, digits, "_" and "-"' })
  @Length(1, 150)
  @IsString()
  slug?: string;
}
