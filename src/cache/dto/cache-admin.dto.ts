import { applyDecorators, Injectable, PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsInt, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { NoControlChars } from '../../common/validation/no-control-chars';
import { ValidationFailedException } from '../../common/validation/validation-failed.exception';
import { internalKeyReason } from '../tag-index-rules';

/** Validated when present (`null` is refused, not taken for "absent"). */
const WhenGiven = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);

const IdField = (): PropertyDecorator =>
  applyDecorators(WhenGiven(), IsInt(), Min(1), Max(Number.MAX_SAFE_INTEGER));

export const INVALIDATION_TARGETS = [
  'club',
  'season',
  'kit',
  'brand',
  'competition',
  'user_collection',
  'search',
  'key',
  'all',
] as const;
export type InvalidationTarget = (typeof INVALIDATION_TARGETS)[number];

/** `POST /api/cache/invalidate`: exactly one target. */
export class InvalidateCacheDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'Every entry containing this club',
    example: 5,
  })
  @IdField()
  club?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Every entry containing this season' })
  @IdField()
  season?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Every entry containing this kit' })
  @IdField()
  kit?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Every entry containing this brand' })
  @IdField()
  brand?: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'Every entry containing this competition',
  })
  @IdField()
  competition?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: "This user's collection" })
  @IdField()
  user_collection?: number;

  @ApiPropertyOptional({ enum: [true], description: 'Every search result' })
  @WhenGiven()
  @Equals(true, { message: 'search must be true when given' })
  search?: true;

  @ApiPropertyOptional({
    description:
      'One entry by its cache key, e.g. `club_5` (for keys too long for the path of DELETE /api/cache/keys/{key})',
    maxLength: 300,
  })
  @WhenGiven()
  @NoControlChars()
  @Length(1, 300)
  @IsString()
  key?: string;

  @ApiPropertyOptional({
    enum: [true],
    description: 'Every entry of the cache (the `fkapi:` namespace only; other data in Redis stays)',
  })
  @WhenGiven()
  @Equals(true, { message: 'all must be true when given' })
  all?: true;
}

/** Refuses a key of the cache's own index (`tag:…`, `inv:seq`, …): deleting it would corrupt the index. */
function refuseInternalKey(key: string, loc: string[]): void {
  const reason = internalKeyReason(key);
  if (reason) throw new ValidationFailedException([{ type: 'internal_key', loc, msg: reason }]);
}

/** Runs after the DTO validation: refuses a body naming no target or several, or an internal key. */
@Injectable()
export class ExactlyOneTargetPipe implements PipeTransform<InvalidateCacheDto, InvalidateCacheDto> {
  transform(body: InvalidateCacheDto): InvalidateCacheDto {
    const given = INVALIDATION_TARGETS.filter((target) => body[target] !== undefined);
    if (given.length !== 1) {
      throw new ValidationFailedException([
        {
          type: 'value_error',
          loc: ['body'],
          msg: `give exactly one of ${INVALIDATION_TARGETS.join(', ')}${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
        },
      ]);
    }
    if (body.key !== undefined) refuseInternalKey(body.key, ['body', 'key']);
    return body;
  }
}

/** The `{key}` of `DELETE /api/cache/keys/{key}`: 1..300 characters, no control characters, not internal. */
@Injectable()
export class ParseCacheKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (value.length < 1 || value.length > 300 || /[\u0000-\u001f\u007f]/.test(value)) {
      throw new ValidationFailedException([
        {
          type: 'string_pattern_mismatch',
          loc: ['path', 'key'],
          msg: 'key must be 1 to 300 characters without control characters',
        },
      ]);
    }
    refuseInternalKey(value, ['path', 'key']);
    return value;
  }
}

export class InvalidationResultDto {
  @ApiProperty({ enum: INVALIDATION_TARGETS, example: 'club' }) target!: InvalidationTarget;
  @ApiPropertyOptional({ description: 'The entity or user id, for entity targets', example: 5 }) id?: number;
  @ApiPropertyOptional({ description: 'The cache key, for the key target' }) key?: string;
  @ApiProperty({ description: 'Entries deleted', example: 3 }) deleted!: number;
}

export class DeletedKeyDto {
  @ApiProperty({ example: 'club_5' }) key!: string;
  @ApiProperty({ description: 'False when there was no such entry' }) deleted!: boolean;
}

export class CacheTypeStatsDto {
  @ApiProperty({ example: 'club' }) cache_type!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Live entries; null when the store is unreachable',
  })
  entries!: number | null;
  @ApiProperty({ description: 'Hits in this process since it started' }) hits!: number;
  @ApiProperty({ description: 'Misses in this process since it started' }) misses!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'hits / (hits + misses); null before any read' })
  hit_ratio!: number | null;
}

export class CacheStatsDto {
  @ApiProperty({ enum: ['redis', 'memory'] }) store!: 'redis' | 'memory';
  @ApiProperty({ description: 'Whether the store answered' }) available!: boolean;
  @ApiProperty({ type: Number, nullable: true }) total_entries!: number | null;
  @ApiProperty() hits!: number;
  @ApiProperty() misses!: number;
  @ApiProperty({ type: Number, nullable: true }) hit_ratio!: number | null;
  @ApiProperty({ type: [CacheTypeStatsDto] }) by_type!: CacheTypeStatsDto[];
}
