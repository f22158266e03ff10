import { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { generateRequestId } from '../../common/http/request-id';
import { AppConfig } from '../../config/app-config';
import { RootLogger } from '../../logging/logger';
import { HttpMetrics } from '../../metrics/http-metrics';
import { HistogramSeries } from '../../metrics/series-histogram';
import { StoredResponse } from '../cache-store';
import { CachedResponses, LearnedUrl } from './cached-responses';
import { ifNoneMatchHits } from './http-caching';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The cache hit at its cheapest: a GET of a URL the pipeline already answered from the cache
 * (`CachedResponses`) is answered on the Node server's `request` event, before Fastify builds
 * its request and reply, runs its hooks and Nest's router — one store lookup, the stored bytes,
 * the validators, the headers the pipeline's hooks would have set (learned with the URL), the
 * request id, the HTTP duration metric and the access line. Anything else — another method, an
 * unknown URL, a request a guard might refuse, a CORS request, a proxied client whose address
 * the rate limit needs, a miss, an unavailable store — goes to Fastify unchanged, which runs the
 * hook fast path and then the pipeline.
 */
export class RawFastPath {
  private readonly corsEnabled: boolean;
  /** Behind a proxy the client address needs Fastify's parsing; only the whitelist uses it. */
  private readonly needsClientIp: boolean;
  private readonly seriesByStatus = new Map<number, Map<string, HistogramSeries>>();
  /** Hits from process memory (L1) of this turn, answered together at its end: see `handle`. */
  private memoryHits: MemoryHit[] = [];
  private readonly answerMemoryHits = (): void => {
    const hits = this.memoryHits;
    this.memoryHits = [];
    for (const hit of hits) this.answer(hit.request, hit.response, hit.learned, hit.stored, hit.started);
  };

  constructor(
    private readonly responses: CachedResponses,
    private readonly httpMetrics: HttpMetrics,
    private readonly accessLog: RootLogger | null,
    config: AppConfig,
  ) {
    this.corsEnabled = config.corsOrigins.length > 0;
    this.needsClientIp =
      config.trustProxy && config.rateLimitPerHour > 0 && config.rateLimitWhitelist.length > 0;
  }

  /** Duration series by status and route: a map lookup per response, no label hashing. */
  private durationSeries(route: string, status: number): HistogramSeries {
    let byRoute = this.seriesByStatus.get(status);
    if (byRoute === undefined)
      this.seriesByStatus.set(status, (byRoute = new Map<string, HistogramSeries>()));
    let series = byRoute.get(route);
    if (series === undefined) byRoute.set(route, (series = this.httpMetrics.series('GET', route, status)));
    return series;
  }

  handle(request: IncomingMessage, response: ServerResponse, next: Handler): void {
    if (this.needsClientIp || (this.corsEnabled && request.headers.origin !== undefined)) {
      return next(request, response);
    }
    const learned = this.responses.answerable(
      request.method,
      request.url,
      request.socket.remoteAddress,
      request.headers,
    );
    if (learned === undefined) return next(request, response);
    const started = performance.now();
    const remembered = this.responses.peek(learned);
    if (remembered !== undefined) {
      // Answered at the end of the turn with the other memory hits, not at once: the requests of
      // a turn are all read before any answer is written, as on the Redis path, which answers a
      // turn's hits together when the batch read returns. Measured with L1 on: 10-25 % more
      // hits per second and less CPU per hit (user and system time) than answering each
      // request as it is parsed (docs/BENCHMARKS.md).
      if (this.memoryHits.length === 0) setImmediate(this.answerMemoryHits);
      this.memoryHits.push({ request, response, learned, stored: remembered, started });
      return;
    }
    this.responses.lookup(learned).then(
      (stored) =>
        stored === null ? next(request, response) : this.answer(request, response, learned, stored, started),
      () => next(request, response),
    );
  }

  private answer(
    request: IncomingMessage,
    response: ServerResponse,
    learned: LearnedUrl,
    stored: StoredResponse,
    started: number,
  ): void {
    const requestId = generateRequestId(request);
    const { headers } = learned;
    let status = 200;
    if (ifNoneMatchHits(request.headers['if-none-match'], stored.etag)) {
      status = 304;
      const list = headers.notModified;
      list[headers.requestIdAt] = requestId;
      list[headers.etagAt] = stored.etag;
      response.writeHead(304, list).end();
    } else {
      const list = headers.ok;
      list[headers.requestIdAt] = requestId;
      list[headers.etagAt] = stored.etag;
      list[headers.contentLengthAt] = stored.contentLength;
      response.writeHead(200, list).end(stored.body);
    }
    const milliseconds = performance.now() - started;
    this.durationSeries(learned.route, status).observe(milliseconds / 1000);
    this.httpMetrics.answeredBy('raw');
    this.accessLog?.info(
      {
        request_id: requestId,
        method: 'GET',
        url: request.url,
        route: learned.route,
        status,
        duration_ms: Math.round(milliseconds * 100) / 100,
      },
      'request completed',
    );
  }
}

interface MemoryHit {
  request: IncomingMessage;
  response: ServerResponse;
  learned: LearnedUrl;
  stored: StoredResponse;
  started: number;
}

/**
 * The server's `request` listener before the application exists: Fastify's handler until
 * {@link RawFastPath} is attached (`createApp`), then the fast path in front of it.
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
