import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PaginationQueryDto } from '../common/dto/pagination.dto';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { KeyedCreate, KeyedDelete, KeyedUpdate } from '../common/http/keyed-write.decorators';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ColorsService } from './colors.service';
import { ColorDto } from './dto/color.dto';
import { CreateColorDto, UpdateColorDto } from './dto/write-color.dto';

@ApiTags('colors')
@Controller('api')
export class ColorsController {
  constructor(private readonly colors: ColorsService) {}

  @Get('colors')
  @ApiOperation({ summary: 'List colours', description: 'Every colour a kit can name, by id.' })
  @ApiOkResponse({ type: [ColorDto] })
  @ApiErrors(422)
  list(@Query() query: PaginationQueryDto): Promise<ColorDto[]> {
    return this.colors.listColors(query.page, query.page_size);
  }

  @Get('colors/:color_id')
  @ApiOperation({ summary: 'One colour', description: 'A colour by id.' })
  @ApiOkResponse({ type: ColorDto })
  @ApiErrors(404, 422)
  findOne(@Param('color_id', new ParseIdPipe('color_id')) id: number): Promise<ColorDto> {
    return this.colors.getColor(id);
  }

  @Post('colors')
  @KeyedCreate('Create a colour', ColorDto)
  create(@Body() body: CreateColorDto): Promise<ColorDto> {
    return this.colors.createColor(body);
  }

  @Patch('colors/:color_id')
  @KeyedUpdate('Change a colour', ColorDto)
  update(
    @Param('color_id', new ParseIdPipe('color_id')) id: number,
    @Body() body: UpdateColorDto,
  ): Promise<ColorDto> {
    return this.colors.updateColor(id, body);
  }

  @Delete('colors/:color_id')
  @KeyedDelete('Delete a colour (its kits stay, without it)')
  remove(@Param('color_id', new ParseIdPipe('color_id')) id: number): Promise<void> {
    return this.colors.deleteColor(id);
  }
}
