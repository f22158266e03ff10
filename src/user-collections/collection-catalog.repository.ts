import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { escapeLike } from '../common/search/name-search';
import { LocalBrand, LocalClub } from './collection-parser';

/** Names, ids or slugs per query: a collection of thousands of entries still costs a few queries. */
const BATCH_SIZE = 500;

interface BrandRow {
  needle: string;
  id: string;
  name: string;
  slug: string;
  logo: string | null;
  logo_dark: string | null;
}

interface ClubRow {
  needle: string;
  id: string;
  name: string;
  slug: string;
  logo: string | null;
  logo_dark: string | null;
  country: string | null;
}

const CLUB_COLUMNS = 'c.id, c.name, c.slug, c.logo, c.logo_dark, c.country';

/**
 * The catalogue queries of the user-collection enrichment: each takes a batch of distinct
 * values and answers, per value, the local row it matches (as the original FKApi matches them). Name matching
 * ranks, within the rows whose accent- and case-folded name contains the value, the exact
 * case-insensitive name first, then the accent-insensitive one, then the lowest id — the
 * original's three look-ups in one indexed query (the trigram index on the folded name).
 */
@Injectable()
export class CollectionCatalogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async matchBrandsByName(names: readonly string[]): Promise<Map<string, LocalBrand>> {
    const rows = await this.inBatches(names, (batch) =>
      this.dataSource.query<BrandRow[]>(
        `SELECT n.needle, b.id, b.name, b.slug, b.logo, b.logo_dark
         FROM unnest($1::text[], $2::text[]) AS n(needle, pattern)
         CROSS JOIN LATERAL (
           SELECT * FROM brands b
           WHERE fkapi_unaccent(lower(b.name)) LIKE '%' || fkapi_unaccent(lower(n.pattern)) || '%'
           ORDER BY lower(b.name) = lower(n.needle) DESC,
                    fkapi_unaccent(lower(b.name)) = fkapi_unaccent(lower(n.needle)) DESC,
                    b.id
           LIMIT 1) b`,
        [batch, batch.map(escapeLike)],
      ),
    );
    return new Map(
      rows.map((row) => [
        row.needle,
        { id: Number(row.id), name: row.name, slug: row.slug, logo: row.logo, logo_dark: row.logo_dark },
      ]),
    );
  }

  async matchClubsByName(names: readonly string[]): Promise<Map<string, LocalClub>> {
    const rows = await this.inBatches(names, (batch) =>
      this.dataSource.query<ClubRow[]>(
        `SELECT n.needle, ${CLUB_COLUMNS}
         FROM unnest($1::text[], $2::text[]) AS n(needle, pattern)
         CROSS JOIN LATERAL (
           SELECT * FROM clubs c
           WHERE fkapi_unaccent(lower(c.name)) LIKE '%' || fkapi_unaccent(lower(n.pattern)) || '%'
           ORDER BY lower(c.name) = lower(n.needle) DESC,
                    fkapi_unaccent(lower(c.name)) = fkapi_unaccent(lower(n.needle)) DESC,
                    c.id
           LIMIT 1) c`,
        [batch, batch.map(escapeLike)],
      ),
    );
    return toClubMap(rows);
  }

  /** The club of the local kit (lowest id) whose source-site id is each of `kitIds`. */
  async matchClubsByKitId(kitIds: readonly string[]): Promise<Map<string, LocalClub>> {
    const rows = await this.inBatches(kitIds, (batch) =>
      this.dataSource.query<ClubRow[]>(
        `SELECT DISTINCT ON (k.kit_id) k.kit_id AS needle, ${CLUB_COLUMNS}
         FROM kits k JOIN clubs c ON c.id = k.team_id
         WHERE k.kit_id = ANY($1::text[])
         ORDER BY k.kit_id, k.id`,
        [batch],
      ),
    );
    return toClubMap(rows);
  }

  /**
   * Per slug candidate guessed from a kit URL (`ss-lazio`): the club of the first local kit whose
   * slug starts with `ss-lazio-`, else the club whose slug is `ss-lazio` or `ss-lazio-kits`.
   */
  async matchClubsBySlug(candidates: readonly string[]): Promise<Map<string, LocalClub>> {
    const rows = await this.inBatches(candidates, (batch) =>
      this.dataSource.query<ClubRow[]>(
        `SELECT n.needle, ${CLUB_COLUMNS}
         FROM unnest($1::text[], $2::text[]) AS n(needle, pattern)
         JOIN clubs c ON c.id = COALESCE(
           (SELECT k.team_id FROM kits k WHERE lower(k.slug) LIKE n.pattern || '-%' ORDER BY k.id LIMIT 1),
           (SELECT c2.id FROM clubs c2
            WHERE lower(c2.slug) IN (n.needle, n.needle || '-kits') ORDER BY c2.id LIMIT 1))`,
        [batch, batch.map((candidate) => escapeLike(candidate.toLowerCase()))],
      ),
    );
    return toClubMap(rows);
  }

  private async inBatches<R>(
    values: readonly string[],
    query: (batch: string[]) => Promise<R[]>,
  ): Promise<R[]> {
    const distinct = [...new Set(values)];
    const rows: R[] = [];
    for (let start = 0; start < distinct.length; start += BATCH_SIZE) {
      rows.push(...(await query(distinct.slice(start, start + BATCH_SIZE))));
    }
    return rows;
  }
}

function toClubMap(rows: ClubRow[]): Map<string, LocalClub> {
  return new Map(
    rows.map((row) => [
      row.needle,
      {
        id: Number(row.id),
        name: row.name,
        slug: row.slug,
        logo: row.logo,
        logo_dark: row.logo_dark,
        country: row.country ? row.country.trim() : null,
      },
    ]),
  );
}
