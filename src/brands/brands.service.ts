import { Injectable } from '@nestjs/common';
import { caseFoldedKeyword } from '../cache/cache-key';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { normaliseKeyword } from '../common/search/keyword.dto';
import { slugify } from '../common/text/slugify';
import { Brand } from './brand.entity';
import { BrandNotFoundError } from './brands.errors';
import { BrandsRepository } from './brands.repository';
import { BrandDto, toBrandDto } from './dto/brand.dto';
import { CreateBrandDto, UpdateBrandDto } from './dto/write-brand.dto';

export const BRAND_SEARCH_LIMIT = 10;

const derivedSlug = (name: string): string => `${slugify(name)}-kits`;

@Injectable()
export class BrandsService {
  constructor(private readonly brands: BrandsRepository) {}

  @Cached('brand', { tags: (brand: BrandDto) => [Tag.brand(brand.id)] })
  async getBrand(id: number): Promise<BrandDto> {
    return toBrandDto(await this.findOrFail(id));
  }

  @Cached('search_brands', {
    key: (keyword: string) => [caseFoldedKeyword(keyword)],
    tags: (brands: BrandDto[]) => [Family.search, Family.searchBrands, ...brands.map((b) => Tag.brand(b.id))],
  })
  async searchBrands(keyword: string): Promise<BrandDto[]> {
    const needle = normaliseKeyword(keyword);
    if (needle === '') return [];
    return (await this.brands.search(needle, BRAND_SEARCH_LIMIT)).map(toBrandDto);
  }

  async createBrand(input: CreateBrandDto): Promise<BrandDto> {
    const brand = Object.assign(new Brand(), {
      name: input.name,
      slug: input.slug ?? derivedSlug(input.name),
      logo: input.logo ?? null,
      logoDark: input.logo_dark ?? null,
    });
    return toBrandDto(await this.brands.save(brand));
  }

  async updateBrand(id: number, input: UpdateBrandDto): Promise<BrandDto> {
    const brand = await this.findOrFail(id);
    if (input.name !== undefined) brand.name = input.name;
    if (input.slug !== undefined) brand.slug = input.slug ?? derivedSlug(brand.name);
    if (input.logo !== undefined) brand.logo = input.logo;
    if (input.logo_dark !== undefined) brand.logoDark = input.logo_dark;
    return toBrandDto(await this.brands.save(brand));
  }

  /** Deletes the brand and, as in the original (ON DELETE CASCADE), its kits. */
  async deleteBrand(id: number): Promise<void> {
    await this.brands.remove(await this.findOrFail(id));
  }

  private async findOrFail(id: number): Promise<Brand> {
    const brand = await this.brands.findById(id);
    if (!brand) throw new BrandNotFoundError(id);
    return brand;
  }
}
