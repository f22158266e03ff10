import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PaginationQueryDto } from '../common/dto/pagination.dto';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { KitTypeDto } from './dto/kit-type.dto';
import { CreateKitTypeDto, UpdateKitTypeDto } from './dto/write-kit-type.dto';
import { KitTypesService } from './kit-types.service';

@ApiTags('kit-types')
@Controller('api')
export class KitTypesController {
  constructor(private readonly types: KitTypesService) {}

  @Get('kit-types')
  @ApiOperation({
    summary: 'List kit types',
    description: 'Ordered by category (match first), outfield before goalkeeper, priority, then name.',
  })
  @ApiOkResponse({ type: [KitTypeDto] })
  @ApiErrors(422)
  list(@Query() query: PaginationQueryDto): Promise<KitTypeDto[]> {
    return this.types.listKitTypes(query.page, query.page_size);
  }

  @Get('kit-types/:kit_type_id')
  @ApiOperation({ summary: 'One kit type', description: 'A kit type by id.' })
  @ApiOkResponse({ type: KitTypeDto })
  @ApiErrors(404, 422)
  findOne(@Param('kit_type_id', new ParseIdPipe('kit_type_id')) id: number): Promise<KitTypeDto> {
    return this.types.getKitType(id);
  }

  @Post('kit-types')
  @KeyedCreate('Create a kit type (categorised from its name unless given)', KitTypeDto)
  create(@Body() body: CreateKitTypeDto): Promise<KitTypeDto> {
    return this.types.createKitType(body);
  }

  @Patch('kit-types/:kit_type_id')
  @KeyedUpdate('Change a kit type', KitTypeDto)
  update(
    @Param('kit_type_id', new ParseIdPipe('kit_type_id')) id: number,
    @Body() body: UpdateKitTypeDto,
  ): Promise<KitTypeDto> {
    return this.types.updateKitType(id, body);
  }

  @Delete('kit-types/:kit_type_id')
  @KeyedDelete('Delete a kit type and its kits')
  remove(@Param('kit_type_id', new ParseIdPipe('kit_type_id')) id: number): Promise<void> {
    return this.types.deleteKitType(id);
  }
}
