import { hash } from 'node:crypto';
import type { StoredResponse } from '../cache-store';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The HTTP side of a cached read: a strong ETag from the stored JSON, the `Cache-Control` that
 * goes with it, and the `If-None-Match` comparison.
 */

/** A strong validator: the same bytes always give the same tag, any change gives another. */
export function etagOf(json: string | Buffer): string {
  return `"${hash('sha1', json, 'base64url')}"`;
}

/** What a cached hit sends, worked out once per stored value rather than per response. */
export function storedResponse(json: string | Buffer): StoredResponse {
  const body = typeof json === 'string' ? Buffer.from(json) : json;
  return { body, etag: etagOf(body), contentLength: String(body.length) };
}

/**
 * `If-None-Match` (RFC 9110 §13.1.2): `*`, or a list of tags compared weakly (`W/"x"` matches
 * `"x"`).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined || header === '') return false;
  if (header === etag) return true;
  for (const candidate of header.split(',')) {
    const tag = candidate.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}

/**
 * `Cache-Control` of a cached read. The cache is never stale because writes invalidate it; a
 * client or proxy keeping a copy on its own would be, so by default it must revalidate every
 * time (`no-cache`: a 304 costs one cached lookup). `maxAgeSeconds` lets a deployment accept
 * that much staleness, never beyond the entry's own TTL; with read authentication responses are
 * `private`, so a shared cache never hands them to a client without a key.
 */
export function cacheControlFor(maxAgeSeconds: number, ttlSeconds: number, authenticated: boolean): string {
  const scope = authenticated ? 'private' : 'public';
  const maxAge = Math.min(maxAgeSeconds, ttlSeconds);
  return maxAge > 0 ? `${scope}, max-age=${maxAge}` : `${scope}, no-cache`;
}
