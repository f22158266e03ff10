import { NestFactory } from '@nestjs/core';
import { createServer } from 'node:http';
import { CachedResponses } from './cache/http/cached-responses';
import { Handler, RawFastPath, RequestDispatcher } from './cache/http/raw-fast-path';
import { HttpMetrics } from './metrics/http-metrics';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyInstance, LogController } from 'fastify';
import { AppModule, AppOptions } from './app.module';
import { answerFrameworkError } from './common/http/framework-errors';
import { trustFunctionOf } from './common/http/client-address';
import { RateLimiter } from './common/http/rate-limiter';
import { closeIdleConnectionsWhileClosing } from './common/http/graceful-close';
import { registerSecurityHeaders } from './common/http/security-headers';
import { useCheckedJsonBodies } from './common/validation/json-body';
import { generateRequestId, REQUEST_ID_HEADER } from './common/http/request-id';
import { hasValidEncoding } from './common/http/url-encoding';
import { registerMethodNotAllowed } from './common/http/method-not-allowed';
import { registerResponseTime } from './common/http/response-time';
import { AppConfig } from './config/app-config';
import { createRootLogger, RootLogger } from './logging/logger';
import { PinoNestLogger } from './logging/pino-nest-logger';
import { logRequests } from './logging/request-logging';
import { setupOpenApi } from './openapi';

/** Fastify's own default, which a server from `serverFactory` does not get. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/**
 * Builds the application (not yet listening) for one configuration: used by `main.ts`, the
 * e2e tests and the benchmarks, so all three run the same wiring. `logger` is the pino root
 * logger for Fastify and Nest alike (tests pass one writing to a sink they read).
 */
export async function createApp(
  config: AppConfig,
  logger: RootLogger = createRootLogger(config),
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const dispatcher = new RequestDispatcher();
  // One trust function for Fastify's `request.ip` and the cache-hit path's client address.
  const trust = trustFunctionOf(config.trustProxy);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options),
    fastifyAdapter(config, logger, dispatcher, trust),
    {
      logger: new PinoNestLogger(logger),
      bufferLogs: false,
    },
  );
  useCheckedJsonBodies(app, config.bodyLimitBytes);
  const fastify = app.getHttpAdapter().getInstance();
  registerResponseTime(fastify);
  registerMethodNotAllowed(fastify);
  if (config.logRequests) logRequests(fastify, logger);
  const accessLog = config.logRequests && logger.isLevelEnabled('info') ? logger : null;
  dispatcher.attach(
    new RawFastPath(
      {
        responses: app.get(CachedResponses),
        limiter: app.get(RateLimiter),
        httpMetrics: app.get(HttpMetrics),
        accessLog,
        logger,
        trust,
      },
      config,
    ),
  );
  refuseBadlyEncodedUrls(fastify);
  await registerSecurityHeaders(app);
  closeIdleConnectionsWhileClosing(fastify);
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins] });
  }
  // SIGTERM: close gracefully (in-flight requests finish, the outbox drains), then exit 0
  // rather than re-raising the signal, so supervisors see a clean stop.
  app.enableShutdownHooks([], { useProcessExit: true });
  setupOpenApi(app);
  return app;
}

/**
 * Fastify as the application runs it: on a Node server whose requests go through `dispatcher`
 * (the cache-hit path answers what it can before Fastify), with our logger, request ids, body
 * limit, proxy trust and framework-error answers.
 */
function fastifyAdapter(
  config: AppConfig,
  logger: RootLogger,
  dispatcher: RequestDispatcher,
  trust: ReturnType<typeof trustFunctionOf>,
): FastifyAdapter {
  return new FastifyAdapter({
    // Cache hits of remembered requests are answered before Fastify (`cache/http/raw-fast-path.ts`).
    serverFactory: (fastifyHandler: Handler) => {
      const server = createServer((request, response) =>
        dispatcher.dispatch(request, response, fastifyHandler),
      );
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      return server;
    },
    loggerInstance: logger,
    // Every line logged through `request.log` carries the same id as X-Request-Id and the
    // error bodies' `request_id`. Fastify's own two lines per request are replaced by one
    // (`logging/request-logging.ts`), registered only with LOG_REQUESTS.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trust,
    genReqId: generateRequestId,
    frameworkErrors: answerFrameworkError,
    // `/api/random-kits/` (the reference's spelling) and `/api/random-kits` are the same route.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
}

/** Every answer carries its request id; a URL that is not valid percent-encoded UTF-8 gets a 400. */
function refuseBadlyEncodedUrls(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    if (!hasValidEncoding(request.url)) {
      void reply.status(400).send({
        detail: 'The URL is not valid percent-encoded UTF-8',
        code: 'invalid_encoding',
        request_id: request.id,
      });
      return;
    }
    done();
  });
}
