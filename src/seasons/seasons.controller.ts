import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { KeywordQueryDto } from '../common/search/keyword.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ClubSeasonsQueryDto } from './dto/club-seasons-query.dto';
import { SeasonDto, SeasonItemDto } from './dto/season.dto';
import { CreateSeasonDto, UpdateSeasonDto } from './dto/write-season.dto';
import { SeasonsService } from './seasons.service';
import { HitPath } from '../cache/http/hit-path-routes';

@ApiTags('seasons')
@Controller('api')
export class SeasonsController {
  constructor(private readonly seasons: SeasonsService) {}

  @Get('seasons')
  @HitPath()
  @ApiOperation({ summary: "A club's seasons (those it has kits in), newest first" })
  @ApiOkResponse({ type: [SeasonItemDto] })
  @ApiErrors(404, 422)
  ofClub(@Query() query: ClubSeasonsQueryDto): Promise<SeasonItemDto[]> {
    return this.seasons.seasonsOfClub(query.id);
  }

  @Get('seasons/search')
  @HitPath()
  @ApiOperation({
    summary: 'Search seasons by year (at most 10)',
    description:
      '"2025" finds 2025, then seasons starting in 2025, then those ending in 2025; "2025-" finds the seasons starting in 2025; "2024-25" finds exactly that season; "97" finds seasons with a year ending in 97.',
  })
  @ApiOkResponse({ type: [SeasonItemDto] })
  @ApiErrors(422)
  search(@Query() query: KeywordQueryDto): Promise<SeasonItemDto[]> {
    return this.seasons.searchSeasons(query.keyword);
  }

  @Get('seasons/:season_id')
  @HitPath()
  @ApiOperation({ summary: 'One season' })
  @ApiOkResponse({ type: SeasonDto })
  @ApiErrors(404, 422)
  findOne(@Param('season_id', new ParseIdPipe('season_id')) id: number): Promise<SeasonDto> {
    return this.seasons.getSeason(id);
  }

  @Post('seasons')
  @KeyedCreate('Create a season', SeasonDto)
  create(@Body() body: CreateSeasonDto): Promise<SeasonDto> {
    return this.seasons.createSeason(body);
  }

  @Patch('seasons/:season_id')
  @KeyedUpdate('Change a season', SeasonDto)
  update(
    @Param('season_id', new ParseIdPipe('season_id')) id: number,
    @Body() body: UpdateSeasonDto,
  ): Promise<SeasonDto> {
    return this.seasons.updateSeason(id, body);
  }

  @Delete('seasons/:season_id')
  @KeyedDelete('Delete a season and its kits')
  remove(@Param('season_id', new ParseIdPipe('season_id')) id: number): Promise<void> {
    return this.seasons.deleteSeason(id);
  }
}
