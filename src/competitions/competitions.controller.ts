import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { KeywordQueryDto } from '../common/search/keyword.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { CompetitionsService } from './competitions.service';
import { CompetitionDto, CompetitionSearchItemDto } from './dto/competition.dto';
import { CreateCompetitionDto, UpdateCompetitionDto } from './dto/write-competition.dto';
import { HitPath } from '../cache/http/hit-path-routes';

@ApiTags('competitions')
@Controller('api')
export class CompetitionsController {
  constructor(private readonly competitions: CompetitionsService) {}

  @Get('competitions/search')
  @HitPath()
  @ApiOperation({ summary: 'Search competitions by name or slug (at most 10)' })
  @ApiOkResponse({ type: [CompetitionSearchItemDto] })
  @ApiErrors(422)
  search(@Query() query: KeywordQueryDto): Promise<CompetitionSearchItemDto[]> {
    return this.competitions.searchCompetitions(query.keyword);
  }

  @Get('competitions/:competition_id')
  @HitPath()
  @ApiOperation({ summary: 'One competition' })
  @ApiOkResponse({ type: CompetitionDto })
  @ApiErrors(404, 422)
  findOne(@Param('competition_id', new ParseIdPipe('competition_id')) id: number): Promise<CompetitionDto> {
    return this.competitions.getCompetition(id);
  }

  @Post('competitions')
  @KeyedCreate('Create a competition', CompetitionDto)
  create(@Body() body: CreateCompetitionDto): Promise<CompetitionDto> {
    return this.competitions.createCompetition(body);
  }

  @Patch('competitions/:competition_id')
  @KeyedUpdate('Change a competition', CompetitionDto)
  update(
    @Param('competition_id', new ParseIdPipe('competition_id')) id: number,
    @Body() body: UpdateCompetitionDto,
  ): Promise<CompetitionDto> {
    return this.competitions.updateCompetition(id, body);
  }

  @Delete('competitions/:competition_id')
  @KeyedDelete('Delete a competition (its kits stay, without it)')
  remove(@Param('competition_id', new ParseIdPipe('competition_id')) id: number): Promise<void> {
    return this.competitions.deleteCompetition(id);
  }
}
