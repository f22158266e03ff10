import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isPlainRead } from '../../common/auth/read-access';
import { HttpMetrics } from '../../metrics/http-metrics';
import { cachedPayloadOf } from '../cached-payload';
import { CachedResponses } from './cached-responses';
import { etagOf, ifNoneMatchHits, JSON_CONTENT_TYPE } from './http-caching';

const NOT_MODIFIED = Symbol('fkapi.notModified');
type Flagged = FastifyReply & { [NOT_MODIFIED]?: true };

/**
 * HTTP caching of `@Cached` reads (DESIGN.md §4), as Fastify hooks:
 *
 * - every response whose body is a cached read's value gets a strong `ETag` (of the stored
 *   JSON) and `Cache-Control`; a matching `If-None-Match` turns it into a 304 without a body;
 * - such a response teaches the fast paths its URL (only for plain reads, see `markPlainRead`):
 *   a key is a function of the validated URL, so the next GET of exactly that URL may be
 *   answered from the store without validation, guards or controller;
 * - the hook fast path, in `preHandler` — after every `onRequest` hook (request id, CORS,
 *   security headers, logging) and before Nest's router — answers a learned URL with one store
 *   lookup and the stored bytes, unparsed, when no guard could refuse the request; on a miss it
 *   lets the request through the pipeline, which also produces every error. The raw fast path
 *   (`raw-fast-path.ts`) does the same before Fastify when it can.
 */
@Injectable()
export class CachedResponseHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly responses: CachedResponses,
    private readonly httpMetrics: HttpMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return; // not a Fastify application (unit tests of modules)
    fastify.addHook('preHandler', (request, reply, done) => this.answerFromCache(request, reply, done));
    fastify.addHook('preSerialization', (request, reply, payload, done) => {
      this.describe(request, reply, payload);
      done(null, payload);
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      // A 304 carries the validators but no body (RFC 9110 §15.4.5). For HEAD, Fastify's own
      // onSend (which runs after this one) measures the payload and fails on null: give it ''.
      if ((reply as Flagged)[NOT_MODIFIED]) done(null, request.method === 'HEAD' ? '' : null);
      else done(null, payload);
    });
  }

  private answerFromCache(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const learned = this.responses.answerable(request.method, request.url, request.ip, request.headers);
    if (learned === undefined) return done();
    this.responses.lookup(learned).then(
      (stored) => {
        if (stored === null) return done();
        this.httpMetrics.answeredBy('hook');
        void reply.header('etag', stored.etag).header('cache-control', learned.cacheControl);
        if (ifNoneMatchHits(request.headers['if-none-match'], stored.etag)) {
          void reply.code(304).send();
          return;
        }
        void reply.header('content-type', JSON_CONTENT_TYPE).send(stored.body);
      },
      () => done(),
    );
  }

  /** Validators of a response built by the pipeline, and learning its URL. */
  private describe(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    if (reply.statusCode !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const cached = cachedPayloadOf(payload);
    if (cached === undefined) return;
    const etag = etagOf(cached.json);
    void reply.header('etag', etag).header('cache-control', this.responses.cacheControl(cached.ttlSeconds));
    if (request.method === 'GET' && isPlainRead(request)) {
      this.responses.learn(request.url, request.routeOptions.url ?? 'unmatched', cached, reply.getHeaders());
    }
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
      (reply as Flagged)[NOT_MODIFIED] = true;
      void reply.code(304);
    }
  }
}
