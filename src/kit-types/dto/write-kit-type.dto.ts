import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, Max, Min, ValidateIf } from 'class-validator';
import { NameField } from '../../common/validation/write-fields';
import { KIT_TYPE_CATEGORIES, KitTypeCategory } from '../kit-type.entity';

export const MAX_ORDER_PRIORITY = 9999;

const optional = ValidateIf((_, value) => value !== undefined);

/**
 * A new kit type. What is not given is derived from the name as the original categorises a type
 * it meets for the first time; `category_order` always follows `category`.
 */
export class CreateKitTypeDto {
  @ApiProperty({ example: 'GK Away', maxLength: 100 }) @NameField(100) name!: string;

  @ApiPropertyOptional({ enum: KIT_TYPE_CATEGORIES, description: 'Derived from the name when absent' })
  @optional
  @IsIn(KIT_TYPE_CATEGORIES)
  category?: KitTypeCategory;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_ORDER_PRIORITY,
    description: 'Derived from the name when absent',
  })
  @optional
  @Max(MAX_ORDER_PRIORITY)
  @Min(0)
  @IsInt()
  order_priority?: number;

  @ApiPropertyOptional({ description: 'Derived from the name when absent' })
  @optional
  @IsBoolean()
  is_goalkeeper?: boolean;
}

/** Every field optional; a renamed type keeps its category unless the request sets it. */
export class UpdateKitTypeDto {
  @ApiPropertyOptional({ example: 'GK Away', maxLength: 100 })
  @optional
  @NameField(100)
  name?: string;

  @ApiPropertyOptional({ enum: KIT_TYPE_CATEGORIES })
  @optional
  @IsIn(KIT_TYPE_CATEGORIES)
  category?: KitTypeCategory;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_ORDER_PRIORITY })
  @optional
  @Max(MAX_ORDER_PRIORITY)
  @Min(0)
  @IsInt()
  order_priority?: number;

  @ApiPropertyOptional()
  @optional
  @IsBoolean()
  is_goalkeeper?: boolean;
}
