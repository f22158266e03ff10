/**
 * What a cached read hands the HTTP layer besides its value: the key it came from and the JSON
 * text it was stored as, so the response can carry an ETag without re-serialising and later
 * requests for the same URL can be answered from the store before the Nest pipeline
 * (`http/cached-response.hooks.ts`).
 *
 * Attached to the value object itself (a WeakMap, so nothing outlives the value): a controller
 * that returns the service's value unchanged gets the HTTP caching; one that builds another
 * object from it simply does not.
 */
export interface CachedPayload {
  /** The cache key (without the `fkapi:` namespace). */
  readonly key: string;
  readonly cacheType: string;
  /** The value exactly as stored. */
  readonly json: string;
  readonly ttlSeconds: number;
}

const payloads = new WeakMap<object, CachedPayload>();

export function attachCachedPayload(value: unknown, payload: CachedPayload): void {
  if (value !== null && typeof value === 'object') payloads.set(value, payload);
}

export function cachedPayloadOf(value: unknown): CachedPayload | undefined {
  return value !== null && typeof value === 'object' ? payloads.get(value) : undefined;
}
