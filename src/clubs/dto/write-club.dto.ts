import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import {
  NameField,
  OptionalCountryField,
  OptionalUrlField,
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

export class UpdateClubDto extends PartialType(CreateClubDto) {}
