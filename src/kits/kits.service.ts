import { Injectable } from '@nestjs/common';
import { Family, Tag } from '../cache/cache-tags';
import { Cached } from '../cache/cached.decorator';
import { ClubsRepository } from '../clubs/clubs.repository';
import { ClubNotFoundError } from '../clubs/clubs.errors';
import { PaginationDto, resolvePage } from '../common/dto/pagination.dto';
import { normaliseKeyword } from '../common/search/keyword.dto';
import { slugify } from '../common/text/slugify';
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
import { KitsRepository, KitWrite } from './kits.repository';

/**
 * The reference pages with Django's `Paginator.get_page`: a page past the last gives the last
 * page. The requested page is read first, so the usual request costs one query; only an empty
 * page past the first needs the count and the last page (three queries at most).
 */
async function pageOrLast<T>(
  page: number,
  pageSize: number,
  fetch: (offset: number) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<T[]> {
  const rows = await fetch((page - 1) * pageSize);
  if (rows.length > 0 || page === 1) return rows;
  const total = await count();
  if (total === 0) return [];
  const last = resolvePage(page, pageSize, total).current_page;
  return fetch((last - 1) * pageSize);
}

@Injectable()
export class KitsService {
  constructor(
    private readonly kits: KitsRepository,
    private readonly clubs: ClubsRepository,
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

  @Cached('kit_club', {
    key: (clubId: number, seasonId: number | undefined, page: number, pageSize: number) => ({
      args: [clubId],
      kwargs: { season: seasonId ?? null, page, page_size: pageSize },
    }),
    tags: (kits: KitListItemDto[], clubId: number, seasonId: number | undefined) => [
      Tag.clubKits(clubId),
      ...(seasonId === undefined ? [] : [Tag.seasonKits(seasonId)]),
      ...kits.map((k) => Tag.kit(k.id)),
    ],
    cacheType: 'kit',
  })
  async clubKits(
    clubId: number,
    seasonId: number | undefined,
    page: number,
    pageSize: number,
  ): Promise<KitListItemDto[]> {
    if (!(await this.clubs.exists(clubId))) throw new ClubNotFoundError(clubId);
    const kits = await pageOrLast(
      page,
      pageSize,
      (offset) => this.kits.clubKitsPage(clubId, seasonId, offset, pageSize),
      () => this.kits.countClubKits(clubId, seasonId),
    );
    return kits.map(toKitListItem);
  }

  /** Filter values are checked (400) before any database access. */
  @Cached('kits', {
    key: (input: KitListFilterInput, page: number, pageSize: number) => ({
      args: [],
      kwargs: { ...kitListKey(input), page, page_size: pageSize },
    }),
    tags: (kits: KitListItemDto[], input: KitListFilterInput) => [
      Family.kitsList,
      ...(input.club ? [Tag.clubKits(input.club)] : []),
      ...(input.season ? [Tag.seasonKits(input.season)] : []),
      ...kits.map((k) => Tag.kit(k.id)),
    ],
    cacheType: 'kit',
  })
  async listKits(input: KitListFilterInput, page: number, pageSize: number): Promise<KitListItemDto[]> {
    const filter = resolveKitFilters(input);
    const kits = await pageOrLast(
      page,
      pageSize,
      (offset) => this.kits.listPage(filter, offset, pageSize),
      () => this.kits.countList(filter),
    );
    return kits.map(toKitListItem);
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
    const id = await this.kits.save(undefined, {
      columns: {
        name: input.name,
        slug: input.slug ?? `${slugify(input.name)}-kit`,
        teamId: input.team_id,
        seasonId: input.season_id,
        typeId: input.type_id,
        brandId: input.brand_id,
        primaryColorId: input.primary_color_id ?? null,
        design: input.design ?? null,
        mainImgUrl: input.main_img_url,
        rating: input.rating ?? 0,
        sourceKitId: input.kit_id ?? null,
        fhLink: input.fh_link ?? null,
      },
      competitionIds: input.competition_ids ?? [],
      secondaryColorIds: input.secondary_color_ids ?? [],
    });
    return this.getKit(id);
  }

  async updateKit(id: number, input: UpdateKitDto): Promise<KitDetailDto> {
    await this.kits.save(id, kitChanges(input));
    return this.getKit(id);
  }

  async deleteKit(id: number): Promise<void> {
    await this.kits.remove(id);
  }
}

/** Only the fields the request names; `null` clears a nullable one (a null slug is ignored). */
function kitChanges(input: UpdateKitDto): KitWrite {
  const columns: KitWrite['columns'] = {};
  if (input.name !== undefined) columns.name = input.name;
  if (input.slug !== undefined && input.slug !== null) columns.slug = input.slug;
  if (input.team_id !== undefined) columns.teamId = input.team_id;
  if (input.season_id !== undefined) columns.seasonId = input.season_id;
  if (input.type_id !== undefined) columns.typeId = input.type_id;
  if (input.brand_id !== undefined) columns.brandId = input.brand_id;
  if (input.primary_color_id !== undefined) columns.primaryColorId = input.primary_color_id;
  if (input.design !== undefined) columns.design = input.design;
  if (input.main_img_url !== undefined) columns.mainImgUrl = input.main_img_url;
  if (input.rating !== undefined) columns.rating = input.rating;
  if (input.kit_id !== undefined) columns.sourceKitId = input.kit_id;
  if (input.fh_link !== undefined) columns.fhLink = input.fh_link;
  return {
    columns,
    competitionIds: input.competition_ids,
    secondaryColorIds: input.secondary_color_ids,
  };
}
