import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CollectionCatalogRepository } from './collection-catalog.repository';
import {
  CatalogMatches,
  enrichEntry,
  filterAndCleanEntries,
  KitReference,
  kitReference,
} from './collection-parser';
import { CollectionUpstreamClient } from './upstream-client';
import { CollectionEntry, UserCollection } from './user-collection.types';

/** Never follow `more_available` past this many pages (4,000 entries). */
export const MAX_FEED_PAGES = 200;

/**
 * Fetches one user's whole public collection from upstream, page by page, and turns it into
 * the stored object: entries filtered, cleaned and enriched with local brands and clubs.
 */
@Injectable()
export class UserCollectionFetcher {
  private readonly logger = new Logger(UserCollectionFetcher.name);

  constructor(
    private readonly upstream: CollectionUpstreamClient,
    private readonly catalog: CollectionCatalogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async fetch(userid: number, signal: AbortSignal): Promise<UserCollection> {
    const user = await this.upstream.fetchUser(userid, signal);
    const entries: CollectionEntry[] = [];
    let page = 1;
    for (; ; page++) {
      const feed = await this.upstream.fetchFeedPage(userid, page, signal);
      entries.push(...filterAndCleanEntries(feed.entries));
      if (!feed.moreAvailable) break;
      if (page >= MAX_FEED_PAGES) {
        this.logger.warn(`User ${userid}: stopped after ${MAX_FEED_PAGES} pages, more were available`);
        break;
      }
      if (this.config.userCollectionPageDelayMs > 0) {
        await sleep(this.config.userCollectionPageDelayMs, undefined, { signal });
      }
    }
    const matches = await this.matchCatalog(entries.map(kitReference));
    return {
      success: true,
      entries: entries.map((entry) => enrichEntry(entry, matches)),
      total_entries: entries.length,
      pages_scraped: page,
      ...(user ? { user } : {}),
    };
  }

  /**
   * Four batched queries at most: brands and clubs by name, then, for the kits whose team name
   * matched no club, clubs by the local kit's source id, then by the slug their URL suggests.
   */
  private async matchCatalog(refs: KitReference[]): Promise<CatalogMatches> {
    const present = <T>(values: (T | undefined)[]): T[] => values.filter((v): v is T => v !== undefined);
    const withTeam = refs.filter((ref) => ref.teamName !== undefined);
    const [brandsByName, clubsByName] = await Promise.all([
      this.catalog.matchBrandsByName(present(refs.map((ref) => ref.brandName))),
      this.catalog.matchClubsByName(present(withTeam.map((ref) => ref.teamName))),
    ]);
    const byName = withTeam.filter((ref) => !clubsByName.has(ref.teamName as string));
    const clubsByKitId = await this.catalog.matchClubsByKitId(present(byName.map((ref) => ref.kitId)));
    const byKitId = byName.filter((ref) => ref.kitId === undefined || !clubsByKitId.has(ref.kitId));
    const clubsBySlug = await this.catalog.matchClubsBySlug(
      present(byKitId.map((ref) => ref.clubSlugCandidate)),
    );
    return { brandsByName, clubsByName, clubsByKitId, clubsBySlug };
  }
}
