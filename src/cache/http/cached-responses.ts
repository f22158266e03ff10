import { Inject, Injectable } from '@nestjs/common';
import { IncomingHttpHeaders } from 'node:http';
import { LRUCache } from 'lru-cache';
import { readAccessCheck } from '../../common/auth/read-access';
import { rateLimitExemption } from '../../common/http/rate-limit';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { CacheMetrics } from '../../metrics/cache-metrics';
import { CACHE_STORE, CacheStore, StoredResponse } from '../cache-store';
import { CachedPayload } from '../cached-payload';
import { REQUEST_ID_HEADER } from '../../common/http/request-id';
import { cacheControlFor, JSON_CONTENT_TYPE } from './http-caching';

/** A URL seen answered with a cached read through the whole pipeline. */
export interface LearnedUrl {
  readonly key: string;
  readonly cacheType: string;
  /** The route pattern (`/api/kits/:kit_id`), the metrics label. */
  readonly route: string;
  readonly cacheControl: string;
  /** The raw fast path's headers for a 200 and for a 304 (see {@link ResponseHeaders}). */
  readonly headers: ResponseHeaders;
}

/**
 * The headers of a fast-path answer as flat `[name, value, name, value, …]` lists, which
 * `writeHead` takes as they are: first the headers the pipeline set that do not depend on the
 * request (security headers, `vary`; the raw fast path runs none of the hooks that set them),
 * then the request id, the ETag and `Cache-Control`, and for a 200 the content type and length.
 * The per-response values are written into their slots before each `writeHead`, which copies
 * the list into the response's header block before it returns: one list per learned URL serves
 * every response, with no list built per response.
 */
export interface ResponseHeaders {
  readonly ok: string[];
  readonly notModified: string[];
  /** Slots of the request id, the ETag (both lists) and the content length (`ok` only). */
  readonly requestIdAt: number;
  readonly etagAt: number;
  readonly contentLengthAt: number;
}

function responseHeaders(staticHeaders: readonly string[], cacheControl: string): ResponseHeaders {
  const validators = [REQUEST_ID_HEADER, '', 'etag', '', 'cache-control', cacheControl];
  const notModified = [...staticHeaders, ...validators];
  return {
    notModified,
    ok: [...notModified, 'content-type', JSON_CONTENT_TYPE, 'content-length', ''],
    requestIdAt: staticHeaders.length + 1,
    etagAt: staticHeaders.length + 3,
    contentLengthAt: notModified.length + 3,
  };
}

/** URLs remembered (least recently used go first): about 300 bytes each. */
const MAX_LEARNED_URLS = 20_000;

/**
 * Headers that belong to one request or one body, never copied from a learned response to
 * another: the fast paths set their own.
 */
const PER_RESPONSE = new Set([
  'content-length',
  'content-type',
  'etag',
  'cache-control',
  'x-request-id',
  'date',
  'set-cookie',
  'retry-after',
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
]);

/**
 * What the two fast paths share (`cached-response.hooks.ts`, `raw-fast-path.ts`): the URLs they
 * may answer, the checks a guard would make, and the store lookup.
 */
@Injectable()
export class CachedResponses {
  private readonly learned = new LRUCache<string, LearnedUrl>({ max: MAX_LEARNED_URLS });
  private readonly cacheControls = new Map<number, string>();
  private readonly mayRead: (headers: IncomingHttpHeaders) => boolean;
  private readonly rateLimitExempt: (ip: string | undefined, headers: IncomingHttpHeaders) => boolean;

  constructor(
    @Inject(CACHE_STORE) private readonly store: CacheStore,
    private readonly metrics: CacheMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.mayRead = readAccessCheck(config);
    this.rateLimitExempt = rateLimitExemption(config);
  }

  /**
   * The learned URL, when a GET of it may skip the pipeline: the guards would let it through
   * (read key when reads need one; exempt from the rate limit, which only the throttler can
   * count). `ip` undefined: not known yet, so no whitelist applies.
   */
  answerable(
    method: string | undefined,
    url: string | undefined,
    ip: string | undefined,
    headers: IncomingHttpHeaders,
  ): LearnedUrl | undefined {
    if (method !== 'GET' || url === undefined) return undefined;
    const learned = this.learned.get(url);
    if (learned === undefined || !this.mayRead(headers) || !this.rateLimitExempt(ip, headers))
      return undefined;
    return learned;
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

  learn(
    url: string,
    route: string,
    cached: CachedPayload,
    headers: Readonly<Record<string, string | number | string[] | undefined>>,
  ): void {
    const staticHeaders: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || PER_RESPONSE.has(name) || name.startsWith('x-ratelimit')) continue;
      for (const one of Array.isArray(value) ? value : [value]) staticHeaders.push(name, String(one));
    }
    const cacheControl = this.cacheControl(cached.ttlSeconds);
    this.learned.set(url, {
      key: cached.key,
      cacheType: cached.cacheType,
      route,
      cacheControl,
      headers: responseHeaders(staticHeaders, cacheControl),
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
}
