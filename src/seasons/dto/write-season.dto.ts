import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { FOUR_DIGIT_YEAR_PATTERN, SEASON_YEAR_PATTERN } from '../season-years';

const YEAR_MESSAGE = 'year must look like "2024", "2024-25" or "2023-2024"';
const FOUR_DIGITS_MESSAGE = '$property must be a four-digit year';

export class CreateSeasonDto {
  @ApiProperty({ example: '2024-25', maxLength: 9, pattern: SEASON_YEAR_PATTERN.source })
  @IsDefined({ message: 'year is required' })
  @Matches(SEASON_YEAR_PATTERN, { message: YEAR_MESSAGE })
  @MaxLength(9)
  @IsString()
  year!: string;

  @ApiPropertyOptional({ example: '2024', description: 'Derived from `year` when absent' })
  @ValidateIf((_, value) => value !== undefined)
  @Matches(FOUR_DIGIT_YEAR_PATTERN, { message: FOUR_DIGITS_MESSAGE })
  @IsString()
  first_year?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2025',
    description: 'Derived from `year` when absent ("2024-25" → "2025", "2024" → null)',
  })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @Matches(FOUR_DIGIT_YEAR_PATTERN, { message: FOUR_DIGITS_MESSAGE })
  @IsString()
  second_year?: string | null;
}

/**
 * Every field optional. A new `year` without `first_year` / `second_year` re-derives them, so a
 * season never keeps the years of its old name.
 */
export class UpdateSeasonDto {
  @ApiPropertyOptional({ example: '2024-25', maxLength: 9, pattern: SEASON_YEAR_PATTERN.source })
  @ValidateIf((_, value) => value !== undefined)
  @Matches(SEASON_YEAR_PATTERN, { message: YEAR_MESSAGE })
  @MaxLength(9)
  @IsString()
  year?: string;

  @ApiPropertyOptional({ example: '2024' })
  @ValidateIf((_, value) => value !== undefined)
  @Matches(FOUR_DIGIT_YEAR_PATTERN, { message: FOUR_DIGITS_MESSAGE })
  @IsString()
  first_year?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2025' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @Matches(FOUR_DIGIT_YEAR_PATTERN, { message: FOUR_DIGITS_MESSAGE })
  @IsString()
  second_year?: string | null;
}
