import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { PaginationQueryDto } from '../common/dto/pagination.dto';
import { ErrorBodyDto } from '../common/errors/error-body';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import {
  ScrapeCachedDto,
  ScrapeProcessingDto,
  ScrapeQueryDto,
  UserCollectionPageDto,
} from './dto/user-collection.dto';
import { UserCollectionsService } from './user-collections.service';

@ApiTags('user collections')
@Controller('api/user-collection')
export class UserCollectionsController {
  constructor(private readonly collections: UserCollectionsService) {}

  @Post(':userid/scrape')
  @ApiOperation({
    summary: "Fetch a footballkitarchive.com user's public collection in the background",
    description:
      'Answers the stored collection (200) or starts a fetch (202); while a fetch for the user runs, ' +
      'on any instance, answers 202 with its task id.',
  })
  @ApiOkResponse({ type: ScrapeCachedDto, description: 'Already stored' })
  @ApiAcceptedResponse({ type: ScrapeProcessingDto, description: 'Fetch started or running' })
  @ApiResponse({ status: 503, type: ErrorBodyDto, description: 'Redis unavailable' })
  @ApiErrors(422)
  async scrape(
    @Param('userid', new ParseIdPipe('userid')) userid: number,
    @Query() query: ScrapeQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScrapeCachedDto | ScrapeProcessingDto> {
    const answer = await this.collections.requestFetch(userid, query.force);
    void reply.status(answer.status === 'processing' ? 202 : 200);
    return answer;
  }

  @Get(':userid')
  @ApiOperation({ summary: "One page of a user's fetched collection" })
  @ApiOkResponse({ type: UserCollectionPageDto })
  @ApiResponse({ status: 503, type: ErrorBodyDto, description: 'Redis unavailable' })
  @ApiErrors(404, 422)
  findPage(
    @Param('userid', new ParseIdPipe('userid')) userid: number,
    @Query() query: PaginationQueryDto,
  ): Promise<UserCollectionPageDto> {
    return this.collections.getPage(userid, query.page, query.page_size);
  }
}
