import { ApiProperty } from '@nestjs/swagger';
import { Brand } from '../brand.entity';

/** A brand: search results (the reference's BrandJsonSchema), detail endpoint, writes. */
export class BrandDto {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'adidas' }) name!: string;
  @ApiProperty({ example: 'adidas-kits' }) slug!: string;
  @ApiProperty({ type: String, nullable: true }) logo!: string | null;
  @ApiProperty({ type: String, nullable: true }) logo_dark!: string | null;
}

export function toBrandDto(brand: Brand): BrandDto {
  return { id: brand.id, name: brand.name, slug: brand.slug, logo: brand.logo, logo_dark: brand.logoDark };
}
