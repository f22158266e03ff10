import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cachedPayloadOf } from '../cached-payload';
import { CachedResponses } from './cached-responses';
import { etagOf, ifNoneMatchHits } from './http-caching';

const NOT_MODIFIED = Symbol('fkapi.notModified');
type Flagged = FastifyReply & { [NOT_MODIFIED]?: true };

/**
 * HTTP caching of `@Cached` reads (docs/DESIGN.md), as Fastify hooks:
 *
 * - every response whose body is a cached read's value gets a strong `ETag` (of the stored
 *   JSON) and `Cache-Control`; a matching `If-None-Match` turns it into a 304 without a body;
 * - such a response to a GET of a route that declares `@HitPath()` teaches the cache-hit path
 *   (`raw-fast-path.ts`) the request: a key is a function of the validated URL, so the next GET
 *   with the same meaning may be answered from the store before the pipeline.
 */
@Injectable()
export class CachedResponseHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly responses: CachedResponses,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return; // not a Fastify application (unit tests of modules)
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

  /** Validators of a response built by the pipeline, and teaching the hit path its request. */
  private describe(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    if (reply.statusCode !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const cached = cachedPayloadOf(payload);
    if (cached === undefined) return;
    const etag = etagOf(cached.json);
    void reply.header('etag', etag).header('cache-control', this.responses.cacheControl(cached.ttlSeconds));
    if (request.method === 'GET' && request.routeOptions.url !== undefined) {
      this.responses.learn(request.url, request.routeOptions.url, cached, reply.getHeaders());
    }
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) {
      (reply as Flagged)[NOT_MODIFIED] = true;
      void reply.code(304);
    }
  }
}
