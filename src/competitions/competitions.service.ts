import { Injectable } from '@nestjs/common';
import { caseFoldedKeyword } from '../cache/cache-key';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { normaliseKeyword } from '../common/search/keyword.dto';
import { slugify } from '../common/text/slugify';
import { Competition } from './competition.entity';
import { CompetitionNotFoundError } from './competitions.errors';
import { CompetitionsRepository } from './competitions.repository';
import {
  CompetitionDto,
  CompetitionSearchItemDto,
  toCompetitionDto,
  toCompetitionSearchItem,
} from './dto/competition.dto';
import { CreateCompetitionDto, UpdateCompetitionDto } from './dto/write-competition.dto';

export const COMPETITION_SEARCH_LIMIT = 10;

const derivedSlug = (name: string): string => `${slugify(name)}-kits`;

@Injectable()
export class CompetitionsService {
  constructor(private readonly competitions: CompetitionsRepository) {}

  @Cached('competition', { tags: (competition: CompetitionDto) => [Tag.competition(competition.id)] })
  async getCompetition(id: number): Promise<CompetitionDto> {
    return toCompetitionDto(await this.findOrFail(id));
  }

  @Cached('search_competitions', {
    key: (keyword: string) => [caseFoldedKeyword(keyword)],
    tags: (competitions: CompetitionSearchItemDto[]) => [
      Family.search,
      Family.searchCompetitions,
      ...competitions.map((c) => Tag.competition(c.id)),
    ],
  })
  async searchCompetitions(keyword: string): Promise<CompetitionSearchItemDto[]> {
    const needle = normaliseKeyword(keyword);
    if (needle === '') return [];
    return (await this.competitions.search(needle, COMPETITION_SEARCH_LIMIT)).map(toCompetitionSearchItem);
  }

  async createCompetition(input: CreateCompetitionDto): Promise<CompetitionDto> {
    const competition = Object.assign(new Competition(), {
      name: input.name,
      slug: input.slug ?? derivedSlug(input.name),
      logo: input.logo ?? null,
      logoDark: input.logo_dark ?? null,
      country: input.country ?? null,
    });
    return toCompetitionDto(await this.competitions.save(competition));
  }

  async updateCompetition(id: number, input: UpdateCompetitionDto): Promise<CompetitionDto> {
    const competition = await this.findOrFail(id);
    if (input.name !== undefined) competition.name = input.name;
    if (input.slug !== undefined) competition.slug = input.slug ?? derivedSlug(competition.name);
    if (input.logo !== undefined) competition.logo = input.logo;
    if (input.logo_dark !== undefined) competition.logoDark = input.logo_dark;
    if (input.country !== undefined) competition.country = input.country;
    return toCompetitionDto(await this.competitions.save(competition));
  }

  /** Deletes the competition; its kits stay, only their links to it go (ON DELETE CASCADE on the junction table). */
  async deleteCompetition(id: number): Promise<void> {
    await this.competitions.remove(await this.findOrFail(id));
  }

  private async findOrFail(id: number): Promise<Competition> {
    const competition = await this.competitions.findById(id);
    if (!competition) throw new CompetitionNotFoundError(id);
    return competition;
  }
}
