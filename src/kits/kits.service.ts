import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { ClubsRepository } from '../clubs/clubs.repository';
import { ClubNotFoundError } from '../clubs/clubs.errors';
import { ColorsService } from '../colors/colors.service';
import { InvalidRequestError } from '../common/errors/domain-errors';
import { PaginationDto, resolvePage } from '../common/dto/pagination.dto';
import { normaliseKeyword } from '../common/search/keyword.dto';
import { KitTypesService } from '../kit-types/kit-types.service';
import { assertBulkSize, parseSlugList } from './bulk-slugs';
import { KitDetailDto, toKitDetailDto } from './dto/kit-detail.dto';
import {
  KitBulkItemDto,
  KitListItemDto,
  KitSearchItemDto,
  RandomKitsPageDto,
  toKitBulkItem,
  toKitListItem,
  toKitSearchItem,
  toRandomKit,
} from './dto/kit-summary.dto';
import { CreateKitDto, UpdateKitDto } from './dto/write-kit.dto';
import { Kit } from './kit.entity';
import { kitListKey, KitListFilterInput, resolveKitFilters } from './kit-filters';
import { KIT_SEARCH_CANDIDATES, KIT_SEARCH_LIMIT, planKitSearch, secondaryTeamsLast } from './kit-search';
import { KitNotFoundError } from './kits.errors';
import { kitChanges, NamedReferences, newKit } from './kit-writes';
import { KitsRepository } from './kits.repository';

/**
 * The reference pages with Django's `Paginator.get_page`: a page past the last gives the last
 * page. Page 1 needs no count; a later page is clamped with the (cached) count of its filter, so
 * every page past the end is answered from the last page's one entry instead of each storing
 * its own. The clamped answer is a copy: it carries no cached payload, so the HTTP layer never
 * learns the past-the-end URL as an alias of a key whose page number can later change.
 */
async function clampedPage<T>(
  page: number,
  pageSize: number,
  count: () => Promise<number>,
  read: (page: number) => Promise<T[]>,
): Promise<T[]> {
  if (page === 1) return read(1);
  const last = resolvePage(page, pageSize, await count()).current_page;
  return last === page ? read(page) : [...(await read(last))];
}

function listTags(input: KitListFilterInput): string[] {
  return [
    Family.kitsList,
    Family.kitPages,
    ...(input.club ? [Tag.clubKits(input.club)] : []),
    ...(input.season ? [Tag.seasonKits(input.season)] : []),
  ];
}

@Injectable()
export class KitsService {
  constructor(
    private readonly kits: KitsRepository,
    private readonly clubs: ClubsRepository,
    private readonly kitTypes: KitTypesService,
    private readonly colors: ColorsService,
  ) {}

  @Cached('kit', {
    tags: (kit: KitDetailDto) => [
      Tag.kit(kit.id),
      Tag.club(kit.team.id),
      Tag.season(kit.season.id),
      Tag.kitType(kit.type.id),
      Tag.brand(kit.brand.id),
      ...kit.competition.map((c) => Tag.competition(c.id)),
      ...(kit.primary_color ? [Tag.color(kit.primary_color.id)] : []),
      ...kit.secondary_color.map((c) => Tag.color(c.id)),
    ],
  })
  async getKit(id: number): Promise<KitDetailDto> {
    const kit = await this.kits.findDetail(id);
    if (!kit) throw new KitNotFoundError(id);
    return toKitDetailDto(kit);
  }

  clubKits(
    clubId: number,
    seasonId: number | undefined,
    page: number,
    pageSize: number,
  ): Promise<KitListItemDto[]> {
    return clampedPage(
      page,
      pageSize,
      () => this.clubKitsCount(clubId, seasonId),
      (clamped) => this.clubKitsPage(clubId, seasonId, clamped, pageSize),
    );
  }

  /**
   * Pages are tagged by what they list (a kit change invalidates `club_kits:<club>`), not with
   * one tag per kit: their index cost does not grow with the page size. An admin invalidation
   * of one kit reaches them through `Family.kitPages`.
   */
  @Cached('kit_club', {
    key: (clubId: number, seasonId: number | undefined, page: number, pageSize: number) => ({
      args: [clubId],
      kwargs: { season: seasonId ?? null, page, page_size: pageSize },
    }),
    tags: (_kits: KitListItemDto[], clubId: number, seasonId: number | undefined) => [
      Family.kitPages,
      Tag.clubKits(clubId),
      ...(seasonId === undefined ? [] : [Tag.seasonKits(seasonId)]),
    ],
    cacheType: 'kit',
  })
  async clubKitsPage(
    clubId: number,
    seasonId: number | undefined,
    page: number,
    pageSize: number,
  ): Promise<KitListItemDto[]> {
    if (!(await this.clubs.exists(clubId))) throw new ClubNotFoundError(clubId);
    const kits = await this.kits.clubKitsPage(clubId, seasonId, (page - 1) * pageSize, pageSize);
    return kits.map(toKitListItem);
  }

  /** How many kits the club (in that season) has: what clamps a page past the end. */
  @Cached('kit_club_count', {
    key: (clubId: number, seasonId: number | undefined) => ({
      args: [clubId],
      kwargs: { season: seasonId ?? null },
    }),
    tags: (_count: number, clubId: number, seasonId: number | undefined) => [
      Tag.clubKits(clubId),
      ...(seasonId === undefined ? [] : [Tag.seasonKits(seasonId)]),
    ],
    cacheType: 'kit',
  })
  clubKitsCount(clubId: number, seasonId: number | undefined): Promise<number> {
    return this.kits.countClubKits(clubId, seasonId);
  }

  /** Filter values are checked (400) before any database access. */
  listKits(input: KitListFilterInput, page: number, pageSize: number): Promise<KitListItemDto[]> {
    return clampedPage(
      page,
      pageSize,
      () => this.listKitsCount(input),
      (clamped) => this.listKitsPage(input, clamped, pageSize),
    );
  }

  /** Tagged by family, not per kit (see `clubKitsPage`): every kit change drops kit lists. */
  @Cached('kits', {
    key: (input: KitListFilterInput, page: number, pageSize: number) => ({
      args: [],
      kwargs: { ...kitListKey(input), page, page_size: pageSize },
    }),
    tags: (_kits: KitListItemDto[], input: KitListFilterInput) => listTags(input),
    cacheType: 'kit',
  })
  async listKitsPage(input: KitListFilterInput, page: number, pageSize: number): Promise<KitListItemDto[]> {
    const filter = resolveKitFilters(input);
    const kits = await this.kits.listPage(filter, (page - 1) * pageSize, pageSize);
    return kits.map(toKitListItem);
  }

  @Cached('kits_count', {
    key: (input: KitListFilterInput) => ({ args: [], kwargs: kitListKey(input) }),
    tags: (_count: number, input: KitListFilterInput) => listTags(input),
    cacheType: 'kit',
  })
  listKitsCount(input: KitListFilterInput): Promise<number> {
    return this.kits.countList(resolveKitFilters(input));
  }

  /** The reference's tiered name search (§2.12): one query per tier tried, three at most. */
  @Cached('search_kits', {
    key: (keyword: string | undefined) => [normaliseKeyword(keyword ?? '')],
    tags: (kits: KitSearchItemDto[]) => [Family.search, Family.searchKits, ...kits.map((k) => Tag.kit(k.id))],
  })
  async searchKits(keyword: string | undefined): Promise<KitSearchItemDto[]> {
    const needle = normaliseKeyword(keyword ?? '');
    if (needle === '') return [];
    const plan = planKitSearch(needle);
    let candidates: Kit[] = [];
    for (const tier of plan.tiers) {
      candidates = await this.kits.searchCandidates(plan.seasonYears, tier, KIT_SEARCH_CANDIDATES);
      if (candidates.length > 0) break;
    }
    return secondaryTeamsLast(candidates, (kit) => kit.team?.name ?? '')
      .slice(0, KIT_SEARCH_LIMIT)
      .map(toKitSearchItem);
  }

  /** In the order asked for; unknown slugs skipped, repeated ones repeated. */
  // Keyed by the slugs in the order asked for: the answer follows that order (the original's
  // sorted key served the first caller's order to everyone).
  @Cached('kits_bulk', {
    key: (rawSlugs: string) => [parseSlugList(rawSlugs)],
    tags: (kits: KitBulkItemDto[]) => [
      Family.kitsBulk,
      ...kits.flatMap((k) => [
        Tag.kit(k.id),
        Tag.club(k.team.id),
        Tag.season(k.season.id),
        Tag.brand(k.brand.id),
      ]),
    ],
    cacheType: 'kit',
  })
  async bulkKits(rawSlugs: string): Promise<KitBulkItemDto[]> {
    const slugs = parseSlugList(rawSlugs);
    assertBulkSize(slugs);
    const found = await this.kits.findBySlugs([...new Set(slugs)]);
    const bySlug = new Map(found.map((kit) => [kit.slug, kit]));
    return slugs.flatMap((slug) => {
      const kit = bySlug.get(slug);
      return kit ? [toKitBulkItem(kit)] : [];
    });
  }

  /** Not cached: every call is a new draw. */
  async randomKits(page: number, pageSize: number): Promise<RandomKitsPageDto> {
    const total = await this.kits.countWithImage();
    const pagination: PaginationDto = resolvePage(page, pageSize, total);
    const rows =
      total === 0 ? [] : await this.kits.randomPage((pagination.current_page - 1) * pageSize, pageSize);
    return {
      kits: rows.map(toRandomKit),
      pagination,
    };
  }

  async createKit(input: CreateKitDto): Promise<KitDetailDto> {
    const named = await this.resolveNames(input);
    const typeId = named.typeId ?? input.type_id;
    if (typeId === undefined) throw new InvalidRequestError('type_id or type is required', 'missing_type');
    const id = await this.kits.save(undefined, newKit(input, named, typeId));
    return this.getKit(id);
  }

  async updateKit(id: number, input: UpdateKitDto): Promise<KitDetailDto> {
    await this.kits.save(id, kitChanges(input, await this.resolveNames(input)));
    return this.getKit(id);
  }

  /**
   * The ids of the type and colours a write names (`"type": "GK Away"`), each found or created
   * by name in its own short transaction before the kit's: as in the original's scraper, a row
   * created for a kit write that then fails stays, named and categorised, for the next one.
   */
  private async resolveNames(input: UpdateKitDto): Promise<NamedReferences> {
    const named: NamedReferences = {};
    if (input.type !== undefined) named.typeId = await this.kitTypes.idForName(input.type);
    if (input.primary_color !== undefined)
      named.primaryColorId = await this.colors.idForName(input.primary_color);
    if (input.secondary_color !== undefined) {
      named.secondaryColorIds = [];
      for (const name of input.secondary_color)
        named.secondaryColorIds.push(await this.colors.idForName(name));
    }
    return named;
  }

  async deleteKit(id: number): Promise<void> {
    await this.kits.remove(id);
  }
}
