import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { NoControlChars } from '../validation/no-control-chars';

export const MAX_KEYWORD_LENGTH = 200;

/** `keyword` of the name searches: required, at most 200 characters, no control characters. */
export class KeywordQueryDto {
  @ApiProperty({
    description: 'Text to look for in names and slugs (accent- and case-insensitive)',
    maxLength: MAX_KEYWORD_LENGTH,
    example: 'arsenal',
  })
  @IsDefined({ message: 'keyword is required' })
  @MaxLength(MAX_KEYWORD_LENGTH)
  @NoControlChars()
  @IsString() // class-validator checks bottom-up: the type first
  keyword!: string;
}

/** Trimmed and whitespace-collapsed: equal searches share one cache entry. */
export function normaliseKeyword(keyword: string): string {
  return keyword.trim().replace(/\s+/g, ' ');
}
