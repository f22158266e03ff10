import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean } from 'class-validator';
import { PaginationDto } from '../../common/dto/pagination.dto';
import { toBoolean } from '../../common/validation/transforms';
import { CollectionEntry, JsonObject } from '../user-collection.types';

/** `force` of POST scrape: a query parameter, as in the reference (a body field is ignored). */
export class ScrapeQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Drop the stored collection and fetch it again' })
  @Transform(toBoolean)
  @IsBoolean()
  force: boolean = false;
}

const FREE_FORM = { type: 'object', additionalProperties: true } as const;

/** The stored collection, or one page of it. */
export class UserCollectionDataDto {
  @ApiProperty({ example: true }) success!: boolean;
  @ApiProperty({
    type: 'array',
    items: FREE_FORM,
    description:
      'Upstream collection entries, without custom kits and private fields; `kit.brand` and `kit.club` ' +
      'are the local brand and club ({id, name, slug, logo, logo_dark[, country]}) or just {name}',
  })
  entries!: CollectionEntry[];
  @ApiProperty({ description: 'Entries in the whole collection' }) total_entries!: number;
  @ApiProperty({ description: 'Number of the last upstream page fetched' }) pages_scraped!: number;
  @ApiPropertyOptional({ ...FREE_FORM, description: 'Upstream user profile, when it could be fetched' })
  user?: JsonObject;
}

export class UserCollectionPaginationDto extends PaginationDto {
  @ApiProperty() page_size!: number;
}

export class UserCollectionPageDto {
  @ApiProperty({ enum: ['ready'] }) status!: 'ready';
  @ApiProperty({ type: UserCollectionDataDto }) data!: UserCollectionDataDto;
  @ApiProperty({ type: UserCollectionPaginationDto }) pagination!: UserCollectionPaginationDto;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the stored collection expires',
  })
  cached_until!: string | null;
}

export class CachedCollectionNoteDto {
  @ApiProperty() total_count!: number;
  @ApiProperty({ example: 'Use GET /api/user-collection/148184?page=1&page_size=20 for paginated results' })
  note!: string;
}

/** POST scrape, 200: the collection was already stored. */
export class ScrapeCachedDto {
  @ApiProperty({ enum: ['cached'] }) status!: 'cached';
  @ApiProperty({ type: UserCollectionDataDto }) data!: UserCollectionDataDto;
  @ApiProperty({ type: CachedCollectionNoteDto }) pagination!: CachedCollectionNoteDto;
}

/** POST scrape, 202: a fetch was started, or one is already running. */
export class ScrapeProcessingDto {
  @ApiProperty({ enum: ['processing'] }) status!: 'processing';
  @ApiProperty({ description: 'Id of the running fetch' }) task_id!: string;
  @ApiProperty({
    example: 'Scraping started. Check status in 60 seconds by calling GET /api/user-collection/148184',
  })
  message!: string;
}
