import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, ValidateIf } from 'class-validator';
import { NameField } from '../../common/validation/write-fields';

export const HEX_COLOR_PATTERN = /^#[0-9A-Fa-f]{6}$/;

const HexColorField = (): PropertyDecorator =>
  applyDecorators(
    ValidateIf((_, value) => value !== undefined),
    Matches(HEX_COLOR_PATTERN, { message: 'color must be a hex code such as #87CEEB' }),
    IsString(),
  );

export class CreateColorDto {
  @ApiProperty({ example: 'Sky blue', maxLength: 100 }) @NameField(100) name!: string;

  @ApiPropertyOptional({
    example: '#87CEEB',
    pattern: HEX_COLOR_PATTERN.source,
    description: 'Absent: the usual code of a well-known colour name, else #FF0000 (the original default)',
  })
  @HexColorField()
  color?: string;
}

export class UpdateColorDto {
  @ApiPropertyOptional({ example: 'Sky blue', maxLength: 100 })
  @ValidateIf((_, value) => value !== undefined)
  @NameField(100)
  name?: string;

  @ApiPropertyOptional({ example: '#87CEEB', pattern: HEX_COLOR_PATTERN.source })
  @HexColorField()
  color?: string;
}
