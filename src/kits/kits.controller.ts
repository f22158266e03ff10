import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PaginationQueryDto } from '../common/dto/pagination.dto';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { KitDetailDto } from './dto/kit-detail.dto';
import { ClubKitsQueryDto, KitBulkQueryDto, KitListQueryDto, KitSearchQueryDto } from './dto/kit-query.dto';
import { KitBulkItemDto, KitListItemDto, KitSearchItemDto, RandomKitsPageDto } from './dto/kit-summary.dto';
import { CreateKitDto, UpdateKitDto } from './dto/write-kit.dto';
import { KitsService } from './kits.service';
import { HitPath } from '../cache/http/hit-path-routes';

/** `kits/search` and `kits/bulk` are declared before `kits/:kit_id`, as in the reference. */
@ApiTags('kits')
@Controller('api')
export class KitsController {
  constructor(private readonly kits: KitsService) {}

  @Get('clubs/:club_id/kits')
  @HitPath()
  @ApiOperation({ summary: "A club's kits (optionally of one season), newest first" })
  @ApiOkResponse({ type: [KitListItemDto] })
  @ApiErrors(404, 422)
  clubKits(
    @Param('club_id', new ParseIdPipe('club_id')) clubId: number,
    @Query() query: ClubKitsQueryDto,
  ): Promise<KitListItemDto[]> {
    return this.kits.clubKits(clubId, query.season, query.page, query.page_size);
  }

  @Get('kits')
  @HitPath()
  @ApiOperation({ summary: 'Kits matching every filter given, newest first' })
  @ApiOkResponse({ type: [KitListItemDto] })
  @ApiErrors(400, 422)
  list(@Query() query: KitListQueryDto): Promise<KitListItemDto[]> {
    const { page, page_size, ...filters } = query;
    return this.kits.listKits(filters, page, page_size);
  }

  @Get('kits/search')
  @HitPath()
  @ApiOperation({ summary: 'Search kits by name words and an optional year (at most 10)' })
  @ApiOkResponse({ type: [KitSearchItemDto] })
  @ApiErrors(422)
  search(@Query() query: KitSearchQueryDto): Promise<KitSearchItemDto[]> {
    return this.kits.searchKits(query.keyword);
  }

  @Get('kits/bulk')
  @HitPath()
  @ApiOperation({ summary: 'Several kits by slug or URL, in the order asked for' })
  @ApiOkResponse({ type: [KitBulkItemDto] })
  @ApiErrors(400, 422)
  bulk(@Query() query: KitBulkQueryDto): Promise<KitBulkItemDto[]> {
    return this.kits.bulkKits(query.slugs);
  }

  @Get('kits/:kit_id')
  @HitPath()
  @ApiOperation({ summary: 'One kit with its club, season, competitions, type, brand and colours' })
  @ApiOkResponse({ type: KitDetailDto })
  @ApiErrors(404, 422)
  findOne(@Param('kit_id', new ParseIdPipe('kit_id')) id: number): Promise<KitDetailDto> {
    return this.kits.getKit(id);
  }

  @Get('kit-json/:kit_id')
  @HitPath()
  @ApiOperation({ summary: 'Same as GET /api/kits/{kit_id}', deprecated: true })
  @ApiOkResponse({ type: KitDetailDto })
  @ApiErrors(404, 422)
  findOneLegacy(@Param('kit_id', new ParseIdPipe('kit_id')) id: number): Promise<KitDetailDto> {
    return this.kits.getKit(id);
  }

  @Get('random-kits')
  @ApiOperation({ summary: 'Random kits that have an image (not cached)' })
  @ApiOkResponse({ type: RandomKitsPageDto })
  @ApiErrors(422)
  random(@Query() query: PaginationQueryDto): Promise<RandomKitsPageDto> {
    return this.kits.randomKits(query.page, query.page_size);
  }

  @Post('kits')
  @KeyedCreate('Create a kit', KitDetailDto, [400])
  create(@Body() body: CreateKitDto): Promise<KitDetailDto> {
    return this.kits.createKit(body);
  }

  @Patch('kits/:kit_id')
  @KeyedUpdate(
    'Change a kit; competition_ids / secondary_color_ids replace the current lists',
    KitDetailDto,
    [400],
  )
  update(
    @Param('kit_id', new ParseIdPipe('kit_id')) id: number,
    @Body() body: UpdateKitDto,
  ): Promise<KitDetailDto> {
    return this.kits.updateKit(id, body);
  }

  @Delete('kits/:kit_id')
  @KeyedDelete('Delete a kit')
  remove(@Param('kit_id', new ParseIdPipe('kit_id')) id: number): Promise<void> {
    return this.kits.deleteKit(id);
  }
}
