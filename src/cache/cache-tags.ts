/**
 * The tag vocabulary shared by cached reads (which tag what they store) and each module's
 * invalidation rules (`@InvalidatesOn`: what a write of its entity drops). docs/DESIGN.md §3.
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
  /** `GET /api/kit-types` pages. */
  kitTypes: 'kit_types:list',
  /** `GET /api/colors` pages. */
  colors: 'colors:list',
  /**
   * Every paginated kit list (kit lists, a club's kits pages). They carry no tag per kit, so
   * invalidating one kit without knowing its club (the admin endpoint) drops them all.
   */
  kitPages: 'kits:pages',
} as const;
