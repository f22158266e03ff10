import { Inject, Injectable } from '@nestjs/common';
import { parse as parseQuery } from 'fast-querystring';
import { LRUCache } from 'lru-cache';
import { REQUEST_ID_HEADER } from '../../common/http/request-id';
import { RESPONSE_TIME_HEADER } from '../../common/http/response-time';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheMetrics } from '../../metrics/cache-metrics';
import { CACHE_STORE, CacheStore, StoredResponse } from '../cache-store';
import { CachedPayload } from '../cached-payload';
import { HitPathRoutes, RouteShape } from './hit-path-routes';
import { cacheControlFor, JSON_CONTENT_TYPE } from './http-caching';

/** A request the pipeline answered from the cache, which the hit path may answer again. */
export interface LearnedUrl {
  readonly key: string;
  readonly cacheType: string;
  /** The route pattern (`/api/kits/:kit_id`), the metrics label. */
  readonly route: string;
  readonly headers: ResponseHeaders;
}

/**
 * The headers of a hit-path answer as flat `[name, value, name, value, …]` lists, which
 * `writeHead` takes as they are: first the headers the pipeline set for the route that do not
 * depend on the request (security headers, `vary`), then the request id, the response time, the ETag,
 * `Cache-Control`, the rate-limit headers when the limit is on, and for a 200 the content type
 * and length. The per-response values are written into their slots before each `writeHead`,
 * which copies the list before it returns: one list per route and TTL serves every response.
 */
export interface ResponseHeaders {
  readonly ok: string[];
  readonly notModified: string[];
  /** Slots of the request id, the response time, the ETag (both lists) and the content length (`ok` only). */
  readonly requestIdAt: number;
  readonly responseTimeAt: number;
  readonly etagAt: number;
  readonly contentLengthAt: number;
  /** Slot of `x-ratelimit-limit`'s value, the remaining count and reset follow; -1: limit off. */
  readonly rateLimitAt: number;
}

const RATE_LIMIT_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

function responseHeaders(
  staticHeaders: readonly string[],
  cacheControl: string,
  rateLimited: boolean,
): ResponseHeaders {
  const validators = [
    REQUEST_ID_HEADER,
    '',
    RESPONSE_TIME_HEADER,
    '',
    'etag',
    '',
    'cache-control',
    cacheControl,
  ];
  const limits = rateLimited ? RATE_LIMIT_HEADERS.flatMap((name) => [name, '']) : [];
  const notModified = [...staticHeaders, ...validators, ...limits];
  return {
    notModified,
    ok: [...notModified, 'content-type', JSON_CONTENT_TYPE, 'content-length', ''],
    requestIdAt: staticHeaders.length + 1,
    responseTimeAt: staticHeaders.length + 3,
    etagAt: staticHeaders.length + 5,
    contentLengthAt: notModified.length + 3,
    rateLimitAt: rateLimited ? staticHeaders.length + validators.length + 1 : -1,
  };
}

/**
 * Headers that belong to one request or one body, never copied from a learned response to
 * another: the hit path sets its own.
 */
const PER_RESPONSE = new Set([
  'content-length',
  'content-type',
  'etag',
  'cache-control',
  'x-request-id',
  RESPONSE_TIME_HEADER,
  'date',
  'set-cookie',
  'retry-after',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  ...RATE_LIMIT_HEADERS,
]);

/** What one remembered item costs beyond its key's characters: object, slots, LRU node. */
const ENTRY_OVERHEAD_BYTES = 200;
/** Route shapes are stored beside the answers, under a key no URL can have. */
const SHAPE_KEY_PREFIX = '\u0000';

type Remembered = LearnedUrl | RouteShape;

/**
 * The cache-hit path's memory (`raw-fast-path.ts`): the requests the pipeline answered from the
 * cache on a route that declares `@HitPath()`, each with the cache key it was answered from.
 *
 * A request is remembered by its meaning, not its bytes: the path plus the query parameters
 * the route's query DTO knows, sorted (unknown parameters are ignored, as the pipeline's
 * validation ignores them), so `/api/kits/1?junk=…` is `/api/kits/1`. The memory is bounded in
 * bytes (`HIT_PATH_MEMORY_BYTES`, least recently used first out), and a URL longer than
 * `HIT_PATH_MAX_URL_BYTES` is neither remembered nor looked up: such requests take the pipeline.
 */
@Injectable()
export class CachedResponses {
  private readonly memory: LRUCache<string, Remembered> | null;
  private readonly headerLists = new Map<string, { statics: string; headers: ResponseHeaders }>();
  private readonly cacheControls = new Map<number, string>();
  readonly maxUrlBytes: number;

  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    private readonly metrics: CacheMetrics,
    private readonly routes: HitPathRoutes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { memoryBytes, maxUrlBytes } = config.hitPath;
    this.maxUrlBytes = maxUrlBytes;
    this.memory =
      memoryBytes === 0
        ? null
        : new LRUCache<string, Remembered>({
            maxSize: memoryBytes,
            sizeCalculation: (_value, key) => ENTRY_OVERHEAD_BYTES + 2 * key.length,
          });
  }

  /** Bytes held now (the flood tests read it). */
  get heldBytes(): number {
    return this.memory?.calculatedSize ?? 0;
  }

  /** The remembered answer for a GET of `url`, if any. */
  find(url: string): LearnedUrl | undefined {
    if (this.memory === null || url.length > this.maxUrlBytes) return undefined;
    const mark = url.indexOf('?');
    if (mark === -1) return asLearned(this.memory.get(url));
    const path = url.slice(0, mark);
    const shape = this.memory.get(SHAPE_KEY_PREFIX + path);
    if (shape === undefined || !('queryNames' in shape)) return undefined;
    return asLearned(this.memory.get(canonicalUrl(path, url.slice(mark + 1), shape)));
  }

  /** The stored response if it is in process memory (L1), without waiting; counts the hit. */
  peek(learned: LearnedUrl): StoredResponse | undefined {
    const stored = this.store.peekResponse(learned.key);
    if (stored !== undefined) this.metrics.hit(learned.cacheType);
    return stored;
  }

  /** The stored response, or null (a miss, or the store unavailable): the pipeline answers. */
  lookup(learned: LearnedUrl): Promise<StoredResponse | null> {
    return this.store.getResponse(learned.key).then((stored) => {
      if (stored !== null) this.metrics.hit(learned.cacheType);
      return stored;
    });
  }

  /**
   * Remembers a GET the pipeline answered with a cached read, on a route that declared the hit
   * path (others are never remembered, so never answered early).
   */
  learn(
    url: string,
    route: string,
    cached: CachedPayload,
    headers: Readonly<Record<string, string | number | string[] | undefined>>,
  ): void {
    const shape = this.routes.shapeOf(route);
    if (this.memory === null || shape === undefined || url.length > this.maxUrlBytes) return;
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    this.memory.set(SHAPE_KEY_PREFIX + path, shape);
    const key = mark === -1 ? url : canonicalUrl(path, url.slice(mark + 1), shape);
    this.memory.set(key, {
      key: cached.key,
      cacheType: cached.cacheType,
      route,
      headers: this.headersFor(route, cached.ttlSeconds, headers),
    });
  }

  cacheControl(ttlSeconds: number): string {
    let value = this.cacheControls.get(ttlSeconds);
    if (value === undefined) {
      value = cacheControlFor(this.config.cacheHttpMaxAgeSeconds, ttlSeconds, this.config.apiAuthEnabled);
      this.cacheControls.set(ttlSeconds, value);
    }
    return value;
  }

  /**
   * The header lists of a route and TTL, from the headers the pipeline set on this answer: kept
   * while they stay the same, replaced when they change. At most (declared routes × TTLs).
   */
  private headersFor(
    route: string,
    ttlSeconds: number,
    headers: Readonly<Record<string, string | number | string[] | undefined>>,
  ): ResponseHeaders {
    const staticHeaders: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || PER_RESPONSE.has(name)) continue;
      for (const one of Array.isArray(value) ? value : [value]) staticHeaders.push(name, String(one));
    }
    const id = `${route} ${ttlSeconds}`;
    const statics = staticHeaders.join('\n');
    const known = this.headerLists.get(id);
    if (known !== undefined && known.statics === statics) return known.headers;
    const rateLimited = this.config.rateLimitPerHour > 0;
    const lists = responseHeaders(staticHeaders, this.cacheControl(ttlSeconds), rateLimited);
    this.headerLists.set(id, { statics, headers: lists });
    return lists;
  }
}

function asLearned(remembered: Remembered | undefined): LearnedUrl | undefined {
  return remembered !== undefined && 'key' in remembered ? remembered : undefined;
}

/**
 * `path?query` reduced to what the route reads: the parameters its query DTO declares, sorted,
 * each with every value given, parsed as the router parses them (`fast-querystring`).
 */
export function canonicalUrl(path: string, query: string, shape: RouteShape): string {
  const parsed = parseQuery(query) as Record<string, string | string[]>;
  const names = Object.keys(parsed)
    .filter((name) => shape.queryNames.has(name))
    .sort();
  if (names.length === 0) return path;
  return `${path}?${names.map((name) => `${name}=${JSON.stringify(parsed[name])}`).join('&')}`;
}
