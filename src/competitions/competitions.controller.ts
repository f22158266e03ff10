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
import { CompetitionsService } from './competitions.service';
import { CompetitionDto, CompetitionSearchItemDto } from './dto/competition.dto';
import { CreateCompetitionDto, UpdateCompetitionDto } from './dto/write-competition.dto';

@ApiTags('competitions')
@Controller('api')
export class CompetitionsController {
  constructor(private readonly competitions: CompetitionsService) {}

  @Get('competitions/search')
  @ApiOperation({ summary: 'Search competitions by name or slug (at most 10)' })
  @ApiOkResponse({ type: [CompetitionSearchItemDto] })
  @ApiErrors(422)
  search(@Query() query: KeywordQueryDto): Promise<CompetitionSearchItemDto[]> {
    return this.competitions.searchCompetitions(query.keyword);
  }

  @Get('competitions/:competition_id')
  @ApiOperation({ summary: 'One competition' })
  @ApiOkResponse({ type: CompetitionDto })
  @ApiErrors(404, 422)
  findOne(@Param('competition_id', new ParseIdPipe('competition_id')) id: number): Promise<CompetitionDto> {
    return this.competitions.getCompetition(id);
  }

  @Post('competitions')
  @AdminOnly()
  @ApiOperation({ summary: 'Create a competition' })
  @ApiCreatedResponse({ type: CompetitionDto })
  @ApiErrors(401, 409, 413, 422)
  create(@Body() body: CreateCompetitionDto): Promise<CompetitionDto> {
    return this.competitions.createCompetition(body);
  }

  @Patch('competitions/:competition_id')
  @AdminOnly()
  @ApiOperation({ summary: 'Change a competition' })
  @ApiOkResponse({ type: CompetitionDto })
  @ApiErrors(401, 404, 409, 413, 422)
  update(
    @Param('competition_id', new ParseIdPipe('competition_id')) id: number,
    @Body() body: UpdateCompetitionDto,
  ): Promise<CompetitionDto> {
    return this.competitions.updateCompetition(id, body);
  }

  @Delete('competitions/:competition_id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a competition (its kits stay, without it)' })
  @ApiNoContentResponse()
  @ApiErrors(401, 404, 422)
  remove(@Param('competition_id', new ParseIdPipe('competition_id')) id: number): Promise<void> {
    return this.competitions.deleteCompetition(id);
  }
}
