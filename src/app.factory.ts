import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { generateRequestId, REQUEST_ID_HEADER } from './common/http/request-id';
import { AppConfig } from './config/app-config';
import { setupOpenApi } from './openapi';

/** Invalid UTF-8 in a query string would otherwise reach the handlers as U+FFFD replacement characters. */
function hasValidEncoding(url: string): boolean {
  try {
    decodeURIComponent(url.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Builds the application (not yet listening) for one configuration: used by `main.ts`, the
 * e2e tests and the benchmarks, so all three run the same wiring.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: generateRequestId,
    // `/api/random-kits/` (the reference's spelling) and `/api/random-kits` are the same route.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel) + 1),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
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
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins] });
  }
  app.enableShutdownHooks();
  setupOpenApi(app);
  return app;
}
