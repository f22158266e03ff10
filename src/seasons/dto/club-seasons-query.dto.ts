import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsInt, Max, Min } from 'class-validator';
import { toInteger } from '../../common/validation/transforms';

/** `GET /api/seasons?id=`: the club id, required, as in the reference. */
export class ClubSeasonsQueryDto {
  @ApiProperty({
    description: 'Club id',
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 1,
  })
  @IsDefined({ message: 'id is required' })
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(1)
  @IsInt() // class-validator checks bottom-up: the type first
  @Transform(toInteger)
  id!: number;
}
