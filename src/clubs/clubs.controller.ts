import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PaginationQueryDto } from '../common/dto/pagination.dto';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { KeywordQueryDto } from '../common/search/keyword.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ClubsService } from './clubs.service';
import { ClubDto, ClubSearchItemDto, RandomClubsPageDto } from './dto/club.dto';
import { CreateClubDto, UpdateClubDto } from './dto/write-club.dto';
import { HitPath } from '../cache/http/hit-path-routes';

@ApiTags('clubs')
@Controller('api')
export class ClubsController {
  constructor(private readonly clubs: ClubsService) {}

  @Get('clubs/search')
  @HitPath()
  @ApiOperation({ summary: 'Search clubs by name or slug (at most 10)' })
  @ApiOkResponse({ type: [ClubSearchItemDto] })
  @ApiErrors(422)
  search(@Query() query: KeywordQueryDto): Promise<ClubSearchItemDto[]> {
    return this.clubs.searchClubs(query.keyword);
  }

  @Get('clubs/:club_id')
  @HitPath()
  @ApiOperation({ summary: 'One club' })
  @ApiOkResponse({ type: ClubDto })
  @ApiErrors(404, 422)
  findOne(@Param('club_id', new ParseIdPipe('club_id')) id: number): Promise<ClubDto> {
    return this.clubs.getClub(id);
  }

  @Get('random-clubs')
  @ApiOperation({ summary: 'Random clubs that have a logo, with their kit counts (not cached)' })
  @ApiOkResponse({ type: RandomClubsPageDto })
  @ApiErrors(422)
  random(@Query() query: PaginationQueryDto): Promise<RandomClubsPageDto> {
    return this.clubs.randomClubs(query.page, query.page_size);
  }

  @Post('clubs')
  @KeyedCreate('Create a club', ClubDto)
  create(@Body() body: CreateClubDto): Promise<ClubDto> {
    return this.clubs.createClub(body);
  }

  @Patch('clubs/:club_id')
  @KeyedUpdate('Change a club', ClubDto)
  update(
    @Param('club_id', new ParseIdPipe('club_id')) id: number,
    @Body() body: UpdateClubDto,
  ): Promise<ClubDto> {
    return this.clubs.updateClub(id, body);
  }

  @Delete('clubs/:club_id')
  @KeyedDelete('Delete a club and its kits')
  remove(@Param('club_id', new ParseIdPipe('club_id')) id: number): Promise<void> {
    return this.clubs.deleteClub(id);
  }
}
