import { INestApplicationContext } from '@nestjs/common';
import { BrandsRepository } from '../brands/brands.repository';
import { BrandsService } from '../brands/brands.service';
import { cacheTypeOf } from '../cache/cache-key';
import { getCachedMetadata } from '../cache/cached.decorator';
import { ClubsRepository } from '../clubs/clubs.repository';
import { ClubsService } from '../clubs/clubs.service';
import { PaginationQueryDto } from '../common/dto/pagination.dto';
import { EntityNotFoundError } from '../common/errors/domain-errors';
import { KitsRepository } from '../kits/kits.repository';
import { KitsService } from '../kits/kits.service';
import { SeasonsService } from '../seasons/seasons.service';

/** The reference's `warm_cache --search` terms, as people type them (the keys fold case where the search does). */
export const WARM_SEARCH_TERMS = [
  'Barcelona',
  'Real Madrid',
  'Manchester United',
  'Liverpool',
  'Arsenal',
  'Chelsea',
  'Manchester City',
  'Bayern Munich',
  'PSG',
  'Juventus',
  'AC Milan',
  'Inter Milan',
  '2024',
  '2023',
  '2022',
  'adidas',
  'nike',
  'puma',
] as const;

/** The reference warms the top 20 brands whatever the options say. */
export const WARM_TOP_BRANDS = 20;

export interface WarmOptions {
  /** The clubs with the most kits: their detail and the first page of their kits. */
  clubs: number;
  /** The newest kits: their detail. */
  kits: number;
  /** Also the seasons of each of those clubs. */
  seasons: boolean;
  /** Also the club and kit searches for {@link WARM_SEARCH_TERMS}. */
  search: boolean;
}

/** One read to make through a `@Cached` service method, and the `cache_type` its entry counts under. */
export interface WarmRead {
  cacheType: string;
  read(): Promise<unknown>;
}

export interface WarmOutcome {
  reads: number;
  /** Entities that disappeared between choosing them and reading them. */
  gone: number;
}

/** The metrics label of a `@Cached` method; throws when the method is not cached, so warming never silently bypasses the cache. */
function cacheTypeOfMethod(method: unknown, name: string): string {
  const metadata = getCachedMetadata(method);
  if (!metadata) throw new Error(`${name} is not @Cached: warming it would store nothing`);
  return metadata.cacheType ?? cacheTypeOf(metadata.prefix);
}

/**
 * The reads `cache warm` makes, in the order it makes them. They go through the same service
 * methods, with the same arguments, as the HTTP reads (the first page at the default page size
 * for club kits), so every warmed entry is under exactly the key a request will look up.
 */
export async function planWarmReads(app: INestApplicationContext, options: WarmOptions): Promise<WarmRead[]> {
  const clubs = app.get(ClubsService);
  const kits = app.get(KitsService);
  const seasons = app.get(SeasonsService);
  const brands = app.get(BrandsService);
  const type = {
    club: cacheTypeOfMethod(ClubsService.prototype.getClub, 'ClubsService.getClub'),
    clubKits: cacheTypeOfMethod(KitsService.prototype.clubKitsPage, 'KitsService.clubKitsPage'),
    clubSeasons: cacheTypeOfMethod(SeasonsService.prototype.seasonsOfClub, 'SeasonsService.seasonsOfClub'),
    kit: cacheTypeOfMethod(KitsService.prototype.getKit, 'KitsService.getKit'),
    brand: cacheTypeOfMethod(BrandsService.prototype.getBrand, 'BrandsService.getBrand'),
    clubSearch: cacheTypeOfMethod(ClubsService.prototype.searchClubs, 'ClubsService.searchClubs'),
    kitSearch: cacheTypeOfMethod(KitsService.prototype.searchKits, 'KitsService.searchKits'),
  };
  const { page, page_size: pageSize } = new PaginationQueryDto();

  const topClubs = options.clubs > 0 ? await app.get(ClubsRepository).idsWithMostKits(options.clubs) : [];
  const newestKits = options.kits > 0 ? await app.get(KitsRepository).newestIds(options.kits) : [];
  const topBrands = await app.get(BrandsRepository).idsWithMostKits(WARM_TOP_BRANDS);

  const reads: WarmRead[] = [];
  for (const id of topClubs) {
    reads.push({ cacheType: type.club, read: () => clubs.getClub(id) });
    reads.push({ cacheType: type.clubKits, read: () => kits.clubKitsPage(id, undefined, page, pageSize) });
    if (options.seasons) reads.push({ cacheType: type.clubSeasons, read: () => seasons.seasonsOfClub(id) });
  }
  for (const id of newestKits) reads.push({ cacheType: type.kit, read: () => kits.getKit(id) });
  for (const id of topBrands) reads.push({ cacheType: type.brand, read: () => brands.getBrand(id) });
  if (options.search) {
    for (const term of WARM_SEARCH_TERMS) {
      reads.push({ cacheType: type.clubSearch, read: () => clubs.searchClubs(term) });
      reads.push({ cacheType: type.kitSearch, read: () => kits.searchKits(term) });
    }
  }
  return reads;
}

/**
 * Makes the reads, `concurrency` at a time (the database pool is small and shared with the
 * API). A read whose entity was deleted meanwhile is counted as gone; any other error stops the
 * warming and is rethrown.
 */
export async function runWarmReads(
  reads: readonly WarmRead[],
  concurrency: number,
  onProgress: (done: number, total: number) => void,
): Promise<WarmOutcome> {
  let next = 0;
  let done = 0;
  let gone = 0;
  let failure: Error | undefined;
  onProgress(0, reads.length);
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < reads.length) {
      const read = reads[next++];
      try {
        await read.read();
      } catch (error) {
        if (error instanceof EntityNotFoundError) gone++;
        else failure ??= error instanceof Error ? error : new Error(String(error));
      }
      onProgress(++done, reads.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure !== undefined) throw failure;
  return { reads: done, gone };
}
