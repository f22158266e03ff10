import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import {
  NameField,
  OptionalCountryField,
  OptionalUrlField,
  SlugField,
} from '../../common/validation/write-fields';

const SLUG_DESCRIPTION = 'Derived from the name (+ "-kits") when absent or null';

export class CreateCompetitionDto {
  @ApiProperty({ example: 'Premier League', maxLength: 100 }) @NameField(100) name!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'premier-league-kits',
    description: SLUG_DESCRIPTION,
  })
  @SlugField()
  slug?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) @OptionalUrlField() logo?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) @OptionalUrlField() logo_dark?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'GB' }) @OptionalCountryField() country?:
    string | null;
}

/** Every field optional; `slug: null` derives the slug again from the (new) name. */
export class UpdateCompetitionDto {
  @ApiPropertyOptional({ example: 'Premier League', maxLength: 100 })
  @ValidateIf((_, value) => value !== undefined)
  @NameField(100)
  name?: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'premier-league-kits',
    description: SLUG_DESCRIPTION,
  })
  @SlugField()
  slug?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) @OptionalUrlField() logo?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' }) @OptionalUrlField() logo_dark?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'GB' }) @OptionalCountryField() country?:
    string | null;
}
