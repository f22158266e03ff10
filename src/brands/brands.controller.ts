import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { KeywordQueryDto } from '../common/search/keyword.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { BrandsService } from './brands.service';
import { BrandDto } from './dto/brand.dto';
import { CreateBrandDto, UpdateBrandDto } from './dto/write-brand.dto';
import { HitPath } from '../cache/http/hit-path-routes';

@ApiTags('brands')
@Controller('api')
export class BrandsController {
  constructor(private readonly brands: BrandsService) {}

  @Get('brands/search')
  @HitPath()
  @ApiOperation({ summary: 'Search brands by name or slug (at most 10)' })
  @ApiOkResponse({ type: [BrandDto] })
  @ApiErrors(422)
  search(@Query() query: KeywordQueryDto): Promise<BrandDto[]> {
    return this.brands.searchBrands(query.keyword);
  }

  @Get('brands/:brand_id')
  @HitPath()
  @ApiOperation({ summary: 'One brand' })
  @ApiOkResponse({ type: BrandDto })
  @ApiErrors(404, 422)
  findOne(@Param('brand_id', new ParseIdPipe('brand_id')) id: number): Promise<BrandDto> {
    return this.brands.getBrand(id);
  }

  @Post('brands')
  @KeyedCreate('Create a brand', BrandDto)
  create(@Body() body: CreateBrandDto): Promise<BrandDto> {
    return this.brands.createBrand(body);
  }

  @Patch('brands/:brand_id')
  @KeyedUpdate('Change a brand', BrandDto)
  update(
    @Param('brand_id', new ParseIdPipe('brand_id')) id: number,
    @Body() body: UpdateBrandDto,
  ): Promise<BrandDto> {
    return this.brands.updateBrand(id, body);
  }

  @Delete('brands/:brand_id')
  @KeyedDelete('Delete a brand and its kits')
  remove(@Param('brand_id', new ParseIdPipe('brand_id')) id: number): Promise<void> {
    return this.brands.deleteBrand(id);
  }
}
