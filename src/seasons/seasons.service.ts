import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { ClubsRepository } from '../clubs/clubs.repository';
import { ClubNotFoundError } from '../clubs/clubs.errors';
import { SeasonDto, SeasonItemDto, toSeasonDto, toSeasonItem } from './dto/season.dto';
import { CreateSeasonDto, UpdateSeasonDto } from './dto/write-season.dto';
import { Season } from './season.entity';
import { rankSeasonCandidates, SEASON_SEARCH_CANDIDATES, seasonCandidateConditions } from './season-search';
import { deriveSeasonYears } from './season-years';
import { SeasonNotFoundError } from './seasons.errors';
import { SeasonsRepository } from './seasons.repository';

@Injectable()
export class SeasonsService {
  constructor(
    private readonly seasons: SeasonsRepository,
    private readonly clubs: ClubsRepository,
  ) {}

  @Cached('season', { tags: (season: SeasonDto) => [Tag.season(season.id)] })
  async getSeason(id: number): Promise<SeasonDto> {
    return toSeasonDto(await this.findOrFail(id));
  }

  /** The club's seasons, newest first. The club is looked up only when it has none, so the usual case is one query. */
  @Cached('season_club', {
    tags: (seasons: SeasonItemDto[], clubId: number) => [
      Tag.clubKits(clubId),
      ...seasons.map((s) => Tag.season(s.id)),
    ],
  })
  async seasonsOfClub(clubId: number): Promise<SeasonItemDto[]> {
    const seasons = await this.seasons.findByClub(clubId);
    if (seasons.length === 0 && !(await this.clubs.exists(clubId))) throw new ClubNotFoundError(clubId);
    return seasons.map(toSeasonItem);
  }

  /** The reference's season search (§2.11): candidates by keyword shape, then ranked. */
  // Season search compares strings case-sensitively only on digits and "-": the trimmed keyword is the key.
  @Cached('search_seasons', {
    key: (keyword: string) => [keyword.trim()],
    tags: (seasons: SeasonItemDto[]) => [
      Family.search,
      Family.searchSeasons,
      ...seasons.map((s) => Tag.season(s.id)),
    ],
  })
  async searchSeasons(keyword: string): Promise<SeasonItemDto[]> {
    const needle = keyword.trim();
    if (needle === '') return [];
    const candidates = await this.seasons.findCandidates(
      seasonCandidateConditions(needle),
      SEASON_SEARCH_CANDIDATES,
    );
    return rankSeasonCandidates(needle, candidates).map(toSeasonItem);
  }

  async createSeason(input: CreateSeasonDto): Promise<SeasonDto> {
    const derived = deriveSeasonYears(input.year);
    const season = Object.assign(new Season(), {
      year: input.year,
      firstYear: input.first_year ?? derived.firstYear,
      secondYear: input.second_year !== undefined ? input.second_year : derived.secondYear,
    });
    return toSeasonDto(await this.seasons.save(season));
  }

  async updateSeason(id: number, input: UpdateSeasonDto): Promise<SeasonDto> {
    const season = await this.findOrFail(id);
    if (input.year !== undefined && input.year !== season.year) {
      const derived = deriveSeasonYears(input.year);
      season.year = input.year;
      season.firstYear = derived.firstYear;
      season.secondYear = derived.secondYear;
    }
    if (input.first_year !== undefined) season.firstYear = input.first_year;
    if (input.second_year !== undefined) season.secondYear = input.second_year;
    return toSeasonDto(await this.seasons.save(season));
  }

  /** Deletes the season and, as in the original (ON DELETE CASCADE), its kits. */
  async deleteSeason(id: number): Promise<void> {
    await this.seasons.remove(await this.findOrFail(id));
  }

  private async findOrFail(id: number): Promise<Season> {
    const season = await this.seasons.findById(id);
    if (!season) throw new SeasonNotFoundError(id);
    return season;
  }
}
