import { InvalidRequestError } from '../common/errors/domain-errors';

export const MIN_BULK_KITS = 2;
export const MAX_BULK_KITS = 30;
/** The kit slug column's length: a longer item can never match. */
export const MAX_BULK_ITEM_LENGTH = 150;
/** 30 items of a long URL each, with room to spare. */
export const MAX_BULK_PARAM_LENGTH = 6000;

/**
 * `slugs` of `GET /api/kits/bulk` as the reference reads it: comma-separated, each item trimmed,
 * empties dropped; an item starting with "http" is a URL whose last path segment (trailing
 * slashes removed) is the slug. So `…/slug/12345/` yields "12345", as in the reference.
 */
export function parseSlugList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      if (!item.startsWith('http')) return item;
      const path = item.replace(/\/+$/, '');
      return path.slice(path.lastIndexOf('/') + 1);
    });
}

/** Between 2 and 30 items, repeated ones counted: the reference's 400s. */
export function assertBulkSize(slugs: readonly string[]): void {
  if (slugs.length < MIN_BULK_KITS) {
    throw new InvalidRequestError(`Minimum ${MIN_BULK_KITS} kits required`, 'too_few_slugs');
  }
  if (slugs.length > MAX_BULK_KITS) {
    throw new InvalidRequestError(`Maximum ${MAX_BULK_KITS} kits allowed`, 'too_many_slugs');
  }
}
