import { ApiProperty } from '@nestjs/swagger';
import { KIT_TYPE_CATEGORIES, KitType, KitTypeCategory } from '../kit-type.entity';

/** A kit type, with the fields the original's kit detail gives its `type`. */
export class KitTypeDto {
  @ApiProperty({ example: 1, minimum: 1 }) id!: number;
  @ApiProperty({ example: 'Home' }) name!: string;
  @ApiProperty({ enum: KIT_TYPE_CATEGORIES, example: 'match' }) category!: KitTypeCategory;
  @ApiProperty({ example: 1, minimum: 1, maximum: 6, description: '1 = match … 6 = jacket' })
  category_order!: number;
  @ApiProperty({ example: 1, description: 'Lower sorts first inside a category; 999 = unranked' })
  order_priority!: number;
  @ApiProperty({ example: false }) is_goalkeeper!: boolean;
}

export function toKitTypeDto(type: KitType): KitTypeDto {
  return {
    id: type.id,
    name: type.name,
    category: type.category,
    category_order: type.categoryOrder,
    order_priority: type.orderPriority,
    is_goalkeeper: type.isGoalkeeper,
  };
}
