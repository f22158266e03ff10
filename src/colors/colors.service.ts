import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { Color } from './color.entity';
import { ColorNotFoundError } from './colors.errors';
import { ColorsRepository } from './colors.repository';
import { ColorDto, toColorDto } from './dto/color.dto';
import { CreateColorDto, UpdateColorDto } from './dto/write-color.dto';
import { DEFAULT_COLOR_CODE, KNOWN_COLOR_CODES } from './known-colors';

@Injectable()
export class ColorsService {
  constructor(private readonly colors: ColorsRepository) {}

  @Cached('color', { tags: (color: ColorDto) => [Tag.color(color.id)], cacheType: 'color' })
  async getColor(id: number): Promise<ColorDto> {
    return toColorDto(await this.findOrFail(id));
  }

  @Cached('colors', {
    key: (page: number, pageSize: number) => ({ args: [], kwargs: { page, page_size: pageSize } }),
    tags: (colors: ColorDto[]) => [Family.colors, ...colors.map((c) => Tag.color(c.id))],
    cacheType: 'color',
  })
  async listColors(page: number, pageSize: number): Promise<ColorDto[]> {
    return (await this.colors.page((page - 1) * pageSize, pageSize)).map(toColorDto);
  }

  async createColor(input: CreateColorDto): Promise<ColorDto> {
    return toColorDto(await this.colors.save(newColor(input.name, input.color)));
  }

  /** The id of the colour of that name, created when there is none (a kit write naming it). */
  async idForName(name: string): Promise<number> {
    const trimmed = name.trim();
    return (await this.colors.findOrCreateByName(trimmed, () => newColor(trimmed))).id;
  }

  async updateColor(id: number, input: UpdateColorDto): Promise<ColorDto> {
    const color = await this.findOrFail(id);
    if (input.name !== undefined) color.name = input.name;
    if (input.color !== undefined) color.color = input.color;
    return toColorDto(await this.colors.save(color));
  }

  async deleteColor(id: number): Promise<void> {
    await this.colors.remove(await this.findOrFail(id));
  }

  private async findOrFail(id: number): Promise<Color> {
    const color = await this.colors.findById(id);
    if (!color) throw new ColorNotFoundError(id);
    return color;
  }
}

function newColor(name: string, code?: string): Color {
  return Object.assign(new Color(), {
    name,
    color: code ?? KNOWN_COLOR_CODES.get(name) ?? DEFAULT_COLOR_CODE,
  });
}
