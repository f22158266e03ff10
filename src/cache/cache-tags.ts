/**
 * The tag vocabulary shared by cached reads (which tag what they store) and the invalidation
 * subscriber (which invalidates what a write can change). DESIGN.md §3.
 *
 * Entity tags name one row: an entry is tagged with every entity its value contains, and with
 * the entity its key is about (the club of "kits of club 5", even when that page is empty).
 * Family tags name sets of entries whose membership a new or changed row can alter without
 * naming it: every kit list, every club search, ….
 */
export const Tag = {
  club: (id: number) => `club:${id}`,
  season: (id: number) => `season:${id}`,
  kit: (id: number) => `kit:${id}`,
  brand: (id: number) => `brand:${id}`,
  competition: (id: number) => `competition:${id}`,
  kitType: (id: number) => `kit_type:${id}`,
  color: (id: number) => `color:${id}`,
  userCollection: (userid: number) => `user_collection:${userid}`,
  /**
   * Entries derived from the set of a club's kits (its kits pages, its seasons, kit lists
   * filtered by it). Kept apart from `club:<id>` ("contains this club's data") so a kit edit
   * does not drop every kit detail that embeds the club.
   */
  clubKits: (id: number) => `club_kits:${id}`,
  /** Entries derived from the set of a season's kits (lists and club kits filtered by season). */
  seasonKits: (id: number) => `season_kits:${id}`,
} as const;

/** Families: sets of entries whose membership can change when any row of a kind is written. */
export const Family = {
  /** Every search result (the seed's `invalidate_search_cache()`). */
  search: 'search',
  searchClubs: 'search:clubs',
  searchSeasons: 'search:seasons',
  searchBrands: 'search:brands',
  searchCompetitions: 'search:competitions',
  searchKits: 'search:kits',
  /** `GET /api/kits` pages (any filter). */
  kitsList: 'kits:list',
  /** `GET /api/kits/bulk` answers (keyed by slugs: a new or re-slugged kit can join one). */
  kitsBulk: 'kits:bulk',
} as const;

export type EntityKind = 'club' | 'season' | 'kit' | 'brand' | 'competition' | 'kit_type' | 'color';

/**
 * What a committed write of one row must invalidate. `before` / `after` carry the foreign keys
 * of a kit (old and new: a kit moved between clubs invalidates both clubs).
 */
export interface KitKeys {
  id: number;
  teamId: number;
  seasonId: number;
  typeId?: number;
  brandId?: number;
  primaryColorId?: number | null;
}

/** Tags invalidated when a kit is inserted, updated (old and new keys) or removed. */
export function kitChangeTags(before: KitKeys | undefined, after: KitKeys | undefined): string[] {
  const tags = new Set<string>([Family.kitsList, Family.kitsBulk, Family.searchKits]);
  for (const keys of [before, after]) {
    if (!keys) continue;
    tags.add(Tag.kit(keys.id));
    // The seed's cascade to the kit's club and season: what lists the club's or the season's
    // kits (club kits, seasons by club, filtered lists). Entries merely embedding the club or
    // season (other kits' details) are unaffected by this kit and stay cached.
    tags.add(Tag.clubKits(keys.teamId));
    tags.add(Tag.seasonKits(keys.seasonId));
  }
  return [...tags];
}

/**
 * Tags invalidated for the kits the database deletes with their season, brand or kit type
 * (`ON DELETE CASCADE`: no entity event is sent for them), given the clubs those kits belonged
 * to. A kit's detail is tagged with that parent already; what lists a club's kits (its kits
 * pages, its seasons) is tagged `club_kits:<id>`, and every other list is a kit family: so the
 * clubs and the families cover every entry without one tag per kit.
 */
export function cascadedKitsChangeTags(teamIds: readonly number[]): string[] {
  return [Family.kitsList, Family.kitsBulk, Family.searchKits, ...teamIds.map((id) => Tag.clubKits(id))];
}

/** Tags invalidated when a club, season, brand or competition row is inserted, updated or removed. */
export function entityChangeTags(kind: Exclude<EntityKind, 'kit'>, id: number): string[] {
  switch (kind) {
    case 'club':
      // A club's name and country appear in kit search results and filter kit lists.
      // Deleting a club cascades to its kits: its kits pages and seasons go too.
      return [Tag.club(id), Tag.clubKits(id), Family.searchClubs, Family.searchKits, Family.kitsList];
    case 'season':
      return [Tag.season(id), Tag.seasonKits(id), Family.searchSeasons, Family.searchKits, Family.kitsList];
    case 'brand':
      // Deleting a brand cascades to its kits, which sit in kit lists and kit searches.
      return [Tag.brand(id), Family.searchBrands, Family.kitsList, Family.searchKits];
    case 'competition':
      return [Tag.competition(id), Family.searchCompetitions];
    case 'kit_type':
      return [Tag.kitType(id), Family.searchKits];
    case 'color':
      return [Tag.color(id), Family.kitsList];
  }
}
