import { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { readAccessCheck } from '../../common/auth/read-access';
import { clientAddressOf, TrustFunction } from '../../common/http/client-address';
import { RateDecision, RateLimiter } from '../../common/http/rate-limiter';
import { generateRequestId } from '../../common/http/request-id';
import { formatSeconds } from '../../common/http/response-time';
import { hasValidEncoding } from '../../common/http/url-encoding';
import { AppConfig } from '../../config/app-config';
import { RootLogger } from '../../logging/logger';
import { accessLine, ACCESS_LINE_MESSAGE } from '../../logging/request-logging';
import { HttpMetrics } from '../../metrics/http-metrics';
import { StoredResponse } from '../cache-store';
import { CachedResponses, LearnedUrl } from './cached-responses';
import { ifNoneMatchHits } from './http-caching';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** What the hit path takes from the application it sits in front of. */
export interface HitPathParts {
  responses: CachedResponses;
  limiter: RateLimiter;
  httpMetrics: HttpMetrics;
  /** The access line's logger; null when access lines are off. */
  accessLog: RootLogger | null;
  logger: RootLogger;
  trust: TrustFunction | false;
}

/**
 * The cache-hit path: a GET of a request the pipeline already answered from the cache on a
 * route that declared `@HitPath()` (`CachedResponses`) is answered on the Node server's
 * `request` event, before Fastify builds its request and reply and before Nest's router. Its
 * steps are the pipeline's, run by the same code: the URL-encoding check, the read-key check
 * (`readAccessCheck`, as `ApiKeyGuard`), the rate limit (`RateLimiter`, as `RateLimitGuard`,
 * with the same per-client counts), one store lookup, the stored bytes with their validators,
 * the request id, `X-Response-Time`, the duration metric and the access line. The steps it does not run are
 * refused at start-up on declared routes (`hit-path-routes.ts`).
 *
 * Anything else goes to Fastify unchanged: another method, a URL not remembered or too long,
 * a CORS request, a request the read check or the limit refuses (the pipeline answers the
 * 401/429, with the limiter's decision already taken, so nothing counts twice), a miss, an
 * unavailable store, and any error inside the hit path (counted in
 * `fkapi_http_hit_path_errors_total`).
 */
export class RawFastPath {
  private readonly corsEnabled: boolean;
  private readonly mayRead: (headers: IncomingHttpHeaders) => boolean;
  private readonly clientAddress: (request: IncomingMessage) => string | undefined;
  /** Hits from process memory (L1) of this turn, answered together at its end: see `handle`. */
  private memoryHits: MemoryHit[] = [];
  private readonly answerMemoryHits = (): void => {
    const hits = this.memoryHits;
    this.memoryHits = [];
    for (const hit of hits) this.answer(hit, hit.stored as StoredResponse);
  };

  constructor(
    private readonly parts: HitPathParts,
    config: AppConfig,
  ) {
    this.corsEnabled = config.corsOrigins.length > 0;
    this.mayRead = readAccessCheck(config);
    this.clientAddress = clientAddressOf(parts.trust);
  }

  handle(request: IncomingMessage, response: ServerResponse, next: Handler): void {
    if (request.method !== 'GET' || (this.corsEnabled && request.headers.origin !== undefined)) {
      return next(request, response);
    }
    let hit: MemoryHit;
    try {
      const url = request.url as string;
      const learned = this.parts.responses.find(url);
      if (learned === undefined || !hasValidEncoding(url) || !this.mayRead(request.headers)) {
        return next(request, response);
      }
      const decision = this.parts.limiter.decide(request, this.clientAddress(request), request.headers);
      if (decision?.blocked) return next(request, response);
      hit = { request, response, next, learned, decision, started: performance.now(), stored: null };
      const remembered = this.parts.responses.peek(learned);
      if (remembered !== undefined) {
        // Answered at the end of the turn with the other memory hits, not at once: the requests
        // of a turn are all read before any answer is written, as on the Redis path, which
        // answers a turn's hits together when the batch read returns (docs/BENCHMARKS.md).
        hit.stored = remembered;
        if (this.memoryHits.length === 0) setImmediate(this.answerMemoryHits);
        this.memoryHits.push(hit);
        return;
      }
    } catch (error) {
      return this.fallBack(request, response, next, error);
    }
    this.parts.responses.lookup(hit.learned).then(
      (stored) => (stored === null ? next(request, response) : this.answer(hit, stored)),
      () => next(request, response),
    );
  }

  private answer(hit: MemoryHit, stored: StoredResponse): void {
    const { request, response, learned } = hit;
    let status: number;
    let requestId: string;
    try {
      requestId = generateRequestId(request);
      const seconds = (performance.now() - hit.started) / 1000;
      status = this.write(response, learned, stored, { requestId, seconds, decision: hit.decision }, request);
    } catch (error) {
      if (!response.headersSent) return this.fallBack(request, response, hit.next, error);
      this.parts.httpMetrics.hitPathFailed();
      response.destroy();
      return;
    }
    const milliseconds = performance.now() - hit.started;
    this.parts.httpMetrics.observe('GET', learned.route, status, milliseconds / 1000);
    this.parts.httpMetrics.answeredBy('raw');
    this.parts.accessLog?.info(
      {
        request_id: requestId,
        ...accessLine('GET', request.url as string, learned.route, status, milliseconds),
      },
      ACCESS_LINE_MESSAGE,
    );
  }

  private write(
    response: ServerResponse,
    learned: LearnedUrl,
    stored: StoredResponse,
    { requestId, seconds, decision }: { requestId: string; seconds: number; decision: RateDecision | null },
    request: IncomingMessage,
  ): number {
    const { headers } = learned;
    const notModified = ifNoneMatchHits(request.headers['if-none-match'], stored.etag);
    const list = notModified ? headers.notModified : headers.ok;
    list[headers.requestIdAt] = requestId;
    list[headers.responseTimeAt] = formatSeconds(seconds);
    list[headers.etagAt] = stored.etag;
    if (headers.rateLimitAt !== -1 && decision !== null) {
      list[headers.rateLimitAt] = String(decision.limit);
      list[headers.rateLimitAt + 2] = String(decision.remaining);
      list[headers.rateLimitAt + 4] = String(decision.resetSeconds);
    }
    if (notModified) {
      response.writeHead(304, list).end();
      return 304;
    }
    list[headers.contentLengthAt] = stored.contentLength;
    response.writeHead(200, list).end(stored.body);
    return 200;
  }

  private fallBack(request: IncomingMessage, response: ServerResponse, next: Handler, error: unknown): void {
    this.parts.httpMetrics.hitPathFailed();
    this.parts.logger.warn(
      { err: error, url: request.url },
      'cache-hit path failed; answered by the pipeline',
    );
    next(request, response);
  }
}

interface MemoryHit {
  request: IncomingMessage;
  response: ServerResponse;
  next: Handler;
  learned: LearnedUrl;
  decision: RateDecision | null;
  started: number;
  stored: StoredResponse | null;
}

/**
 * The server's `request` listener before the application exists: Fastify's handler until
 * {@link RawFastPath} is attached (`createApp`), then the hit path in front of it.
 */
export class RequestDispatcher {
  private fastPath: RawFastPath | null = null;

  attach(fastPath: RawFastPath): void {
    this.fastPath = fastPath;
  }

  dispatch(request: IncomingMessage, response: ServerResponse, fastify: Handler): void {
    if (this.fastPath === null) fastify(request, response);
    else this.fastPath.handle(request, response, fastify);
  }
}
