import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { toInteger } from '../validation/transforms';

export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_SIZE = 100;

/** `page` ≥ 1 (default 1) and `page_size` 1..100 (default 20), as in the reference. */
export class PaginationQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @Transform(toInteger)
  @Max(MAX_PAGE)
  @Min(1)
  @IsInt() // class-validator checks bottom-up: the type first
  page: number = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @Transform(toInteger)
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt()
  page_size: number = 20;
}

/** The reference's pagination object of the random endpoints. */
export class PaginationDto {
  @ApiProperty() current_page!: number;
  @ApiProperty() total_pages!: number;
  @ApiProperty() total_count!: number;
  @ApiProperty() has_next!: boolean;
  @ApiProperty() has_previous!: boolean;
  @ApiProperty({ type: Number, nullable: true }) next_page!: number | null;
  @ApiProperty({ type: Number, nullable: true }) previous_page!: number | null;
}

/**
 * Django's `Paginator.get_page`: a page past the last one gives the last page, an empty result
 * is page 1 of 1.
 */
export function resolvePage(requested: number, pageSize: number, totalCount: number): PaginationDto {
  const totalPages = Math.max(1, Math.ceil(totalCount / pageSize));
  const current = Math.min(requested, totalPages);
  return {
    current_page: current,
    total_pages: totalPages,
    total_count: totalCount,
    has_next: current < totalPages,
    has_previous: current > 1,
    next_page: current < totalPages ? current + 1 : null,
    previous_page: current > 1 ? current - 1 : null,
  };
}
