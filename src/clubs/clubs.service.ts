import { Injectable } from '@nestjs/common';
import { caseFoldedKeyword } from '../cache/cache-key';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { PaginationDto, resolvePage } from '../common/dto/pagination.dto';
import { normaliseKeyword } from '../common/search/keyword.dto';
import { slugify } from '../common/text/slugify';
import { Club } from './club.entity';
import { ClubsRepository } from './clubs.repository';
import { ClubNotFoundError } from './clubs.errors';
import { ClubDto, ClubSearchItemDto, RandomClubsPageDto, toClubDto, toClubSearchItem } from './dto/club.dto';
import { CreateClubDto, UpdateClubDto } from './dto/write-club.dto';

export const SEARCH_LIMIT = 10;

@Injectable()
export class ClubsService {
  constructor(private readonly clubs: ClubsRepository) {}

  @Cached('club', { tags: (club: ClubDto) => [Tag.club(club.id)] })
  async getClub(id: number): Promise<ClubDto> {
    const club = await this.clubs.findById(id);
    if (!club) throw new ClubNotFoundError(id);
    return toClubDto(club);
  }

  @Cached('search_clubs', {
    key: (keyword: string) => [caseFoldedKeyword(keyword)],
    tags: (clubs: ClubSearchItemDto[]) => [
      Family.search,
      Family.searchClubs,
      ...clubs.map((c) => Tag.club(c.id)),
    ],
  })
  async searchClubs(keyword: string): Promise<ClubSearchItemDto[]> {
    const needle = normaliseKeyword(keyword);
    if (needle === '') return [];
    return (await this.clubs.search(needle, SEARCH_LIMIT)).map(toClubSearchItem);
  }

  /** Not cached: every call is a new draw. */
  async randomClubs(page: number, pageSize: number): Promise<RandomClubsPageDto> {
    const total = await this.clubs.countWithLogo();
    const pagination: PaginationDto = resolvePage(page, pageSize, total);
    const rows =
      total === 0 ? [] : await this.clubs.randomPage((pagination.current_page - 1) * pageSize, pageSize);
    return {
      clubs: rows.map(({ club, kitCount }) => ({
        id: club.id,
        name: club.name,
        slug: club.slug,
        logo: club.logo ?? '',
        country: club.country,
        kit_count: kitCount,
      })),
      pagination,
    };
  }

  async createClub(input: CreateClubDto): Promise<ClubDto> {
    const club = Object.assign(new Club(), {
      name: input.name,
      slug: input.slug ?? `${slugify(input.name)}-kits`,
      idFka: input.id_fka ?? null,
      logo: input.logo ?? null,
      logoDark: input.logo_dark ?? null,
      country: input.country ?? null,
    });
    return toClubDto(await this.clubs.save(club));
  }

  async updateClub(id: number, input: UpdateClubDto): Promise<ClubDto> {
    const club = await this.clubs.findById(id);
    if (!club) throw new ClubNotFoundError(id);
    if (input.name !== undefined) club.name = input.name;
    if (input.slug !== undefined) club.slug = input.slug;
    if (input.id_fka !== undefined) club.idFka = input.id_fka;
    if (input.logo !== undefined) club.logo = input.logo;
    if (input.logo_dark !== undefined) club.logoDark = input.logo_dark;
    if (input.country !== undefined) club.country = input.country;
    return toClubDto(await this.clubs.save(club));
  }

  /** Deletes the club and, as in the original (ON DELETE CASCADE), its kits. */
  async deleteClub(id: number): Promise<void> {
    const club = await this.clubs.findById(id);
    if (!club) throw new ClubNotFoundError(id);
    await this.clubs.remove(club);
  }
}
