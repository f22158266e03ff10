import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeywordQueryDto } from '../common/search/keyword.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ClubSeasonsQueryDto } from './dto/club-seasons-query.dto';
import { SeasonDto, SeasonItemDto } from './dto/season.dto';
import { CreateSeasonDto, UpdateSeasonDto } from './dto/write-season.dto';
import { SeasonsService } from './seasons.service';

@ApiTags('seasons')
@Controller('api')
export class SeasonsController {
  constructor(private readonly seasons: SeasonsService) {}

  @Get('seasons')
  @ApiOperation({ summary: "A club's seasons (those it has kits in), newest first" })
  @ApiOkResponse({ type: [SeasonItemDto] })
  @ApiErrors(404, 422)
  ofClub(@Query() query: ClubSeasonsQueryDto): Promise<SeasonItemDto[]> {
    return this.seasons.seasonsOfClub(query.id);
  }

  @Get('seasons/search')
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
  @ApiOperation({ summary: 'One season' })
  @ApiOkResponse({ type: SeasonDto })
  @ApiErrors(404, 422)
  findOne(@Param('season_id', new ParseIdPipe('season_id')) id: number): Promise<SeasonDto> {
    return this.seasons.getSeason(id);
  }

  @Post('seasons')
  @AdminOnly()
  @ApiOperation({ summary: 'Create a season' })
  @ApiCreatedResponse({ type: SeasonDto })
  @ApiErrors(401, 409, 413, 422)
  create(@Body() body: CreateSeasonDto): Promise<SeasonDto> {
    return this.seasons.createSeason(body);
  }

  @Patch('seasons/:season_id')
  @AdminOnly()
  @ApiOperation({ summary: 'Change a season' })
  @ApiOkResponse({ type: SeasonDto })
  @ApiErrors(401, 404, 409, 413, 422)
  update(
    @Param('season_id', new ParseIdPipe('season_id')) id: number,
    @Body() body: UpdateSeasonDto,
  ): Promise<SeasonDto> {
    return this.seasons.updateSeason(id, body);
  }

  @Delete('seasons/:season_id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a season and its kits' })
  @ApiNoContentResponse()
  @ApiErrors(401, 404, 422)
  remove(@Param('season_id', new ParseIdPipe('season_id')) id: number): Promise<void> {
    return this.seasons.deleteSeason(id);
  }
}
