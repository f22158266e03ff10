import { ApiProperty } from '@nestjs/swagger';
import { Color } from '../color.entity';

export class ColorDto {
  @ApiProperty({ example: 2, minimum: 1 }) id!: number;
  @ApiProperty({ example: 'Red' }) name!: string;
  @ApiProperty({ example: '#FF0000', description: 'Hex code' }) color!: string;
}

export function toColorDto(color: Color): ColorDto {
  return { id: color.id, name: color.name, color: color.color };
}
