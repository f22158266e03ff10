import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { AppConfig } from '../config/app-config';

export type RootLogger = Logger;

/** Nest's level names (as `LOG_LEVEL` takes them) to pino's. */
const PINO_LEVELS: Record<AppConfig['logLevel'], pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Where secrets could reach a log line: request headers (if a serializer ever logs them) and
 * objects passed to the logger that carry headers. Fastify's default request serializer logs
 * method, URL and addresses only; these paths keep a key out even if that changes.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'apiKey',
  'api_key',
];

let stdout: DestinationStream | undefined;

/**
 * One asynchronous stdout destination per process (several apps in one test process share it):
 * writes are buffered and flushed by the event loop, never blocking a request.
 */
function asyncStdout(): DestinationStream {
  stdout ??= pino.destination({ dest: 1, sync: false });
  return stdout;
}

function options(config: Pick<AppConfig, 'logLevel'>): LoggerOptions {
  return {
    level: PINO_LEVELS[config.logLevel],
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
}

/**
 * The process's root logger: JSON lines on stdout (asynchronous) or, with `LOG_FORMAT=pretty`,
 * `pino-pretty` in a worker thread (a pino transport, asynchronous too). `destination` replaces
 * stdout (tests read the lines from it); it always gets JSON.
 */
export function createRootLogger(
  config: Pick<AppConfig, 'logLevel' | 'logFormat'>,
  destination?: DestinationStream,
): RootLogger {
  if (destination) return pino(options(config), destination);
  if (config.logFormat === 'pretty') {
    return pino(
      options(config),
      pino.transport({
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      }) as DestinationStream,
    );
  }
  return pino(options(config), asyncStdout());
}
