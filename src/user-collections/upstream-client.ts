import { setTimeout as sleep } from 'node:timers/promises';
import { FeedPage, parseFeedPage, parseUserInfo } from './collection-parser';
import { CollectionFetchError, rateLimitedError } from './user-collections.errors';
import { JsonObject } from './user-collection.types';

export interface UpstreamOptions {
  /** e.g. `https://www.footballkitarchive.com`, no trailing slash. */
  baseUrl: string;
  userAgent: string;
  /** Per attempt, body included. */
  timeoutMs: number;
  /** Retries after the first attempt, on 429, 5xx gateway errors and network failures. */
  maxRetries: number;
  /** Delay before the first retry; doubles on each further retry. */
  retryBackoffMs: number;
  /** A larger body is refused (a feed page of 20 entries is a few tens of KB). */
  maxBodyBytes: number;
}

export const FEED_PAGE_LIMIT = 20;
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

interface UpstreamResponse {
  status: number;
  statusText: string;
  body: string;
}

class BodyTooLargeError extends Error {}

/**
 * HTTP access to the upstream site's JSON API (the one the original FKApi reads): `user.php` and
 * `collection-feed.php`, English headers, a timeout per attempt and retries with backoff.
 */
export class CollectionUpstreamClient {
  constructor(private readonly options: UpstreamOptions) {}

  feedPageUrl(userid: number, page: number): string {
    return `${this.options.baseUrl}/api/collection-feed.php?limit=${FEED_PAGE_LIMIT}&page=${page}&sort=latest&userid=${userid}`;
  }

  /** The user's profile, or `undefined` on any failure (it is optional in the result). */
  async fetchUser(userid: number, signal: AbortSignal): Promise<JsonObject | undefined> {
    try {
      const response = await this.get(`${this.options.baseUrl}/api/user.php?id=${userid}`, userid, signal);
      return response.status >= 200 && response.status < 300 ? parseUserInfo(response.body) : undefined;
    } catch (error) {
      if (signal.aborted) throw error;
      return undefined;
    }
  }

  /** One feed page, validated. Throws {@link CollectionFetchError}: rate limited, HTTP, network or shape. */
  async fetchFeedPage(userid: number, page: number, signal: AbortSignal): Promise<FeedPage> {
    let response: UpstreamResponse;
    try {
      response = await this.get(this.feedPageUrl(userid, page), userid, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new CollectionFetchError(
        'upstream_request_error',
        `Request error fetching page ${page}: ${describeNetworkError(error)}`,
      );
    }
    // The reference meant an upstream 403 to be reported as rate limiting; 429 is the same thing.
    if (response.status === 403 || response.status === 429) throw rateLimitedError();
    if (response.status < 200 || response.status >= 300) {
      throw new CollectionFetchError(
        'upstream_http_error',
        `HTTP error fetching page ${page}: ${response.status} ${response.statusText}`.trim(),
      );
    }
    return parseFeedPage(response.body);
  }

  private async get(url: string, userid: number, signal: AbortSignal): Promise<UpstreamResponse> {
    const headers = {
      Accept: '*/*',
      // Other languages change the format of some fields.
      'Accept-Language': 'en-US,en;q=0.9',
      Referer: `${this.options.baseUrl}/collection/${userid}`,
      'User-Agent': this.options.userAgent,
    };
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < this.options.maxRetries;
      let response: Response;
      try {
        response = await fetch(url, {
          headers,
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs)]),
        });
        if (RETRY_STATUSES.has(response.status) && canRetry) {
          await response.body?.cancel();
          await sleep(this.retryDelay(attempt, response.headers.get('retry-after')), undefined, { signal });
          continue;
        }
        return {
          status: response.status,
          statusText: response.statusText,
          body: await readBody(response, this.options.maxBodyBytes),
        };
      } catch (error) {
        if (signal.aborted || !canRetry || error instanceof BodyTooLargeError) throw error;
        await sleep(this.retryDelay(attempt, null), undefined, { signal });
      }
    }
  }

  private retryDelay(attempt: number, retryAfter: string | null): number {
    const backoff = this.options.retryBackoffMs * 2 ** attempt;
    const asked = retryAfter !== null && /^\d{1,6}$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : 0;
    return Math.max(backoff, Math.min(asked, MAX_RETRY_AFTER_MS));
  }
}

async function readBody(response: Response, maxBytes: number): Promise<string> {
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(`response body larger than ${maxBytes} bytes`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  // The DOM typings leave the stream's chunk type open; fetch bodies are always bytes.
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new BodyTooLargeError(`response body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A short reason for a failed request, without internals beyond the network error code. Read by
 * shape, not `instanceof`: fetch's errors may come from another realm (test runners' VMs).
 */
function describeNetworkError(error: unknown): string {
  if (error instanceof BodyTooLargeError) return error.message;
  const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string') return code;
  return typeof message === 'string' ? message : 'unknown error';
}
