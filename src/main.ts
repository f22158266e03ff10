import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadConfigFromProcess } from './config/app-config';
import { prepareDatabase } from './database/prepare-database';
import { createRootLogger } from './logging/logger';
import { PinoNestLogger } from './logging/pino-nest-logger';

/** The signals that stop the API; a second one of them while it stops ends the process at once. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfigFromProcess();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // One pino root for the whole process: the embedded database's start-up lines come out in
  // the same format as the application's.
  const root = createRootLogger(config);
  Logger.overrideLogger(new PinoNestLogger(root));
  const logger = new Logger('Bootstrap');
  const database = await prepareDatabase(config, logger);
  const app = await createApp({ ...config, databaseUrl: database.url }, root).catch(async (error) => {
    await database.stop();
    throw error;
  });

  // The stop runs in this order: Nest closes (listener, in-flight requests, outbox drain,
  // connection pools), then the embedded PostgreSQL stops, then the process exits 0. Nest's own
  // signal handlers would exit as soon as Nest has closed, before the database could stop.
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      logger.log(`${signal}: stopping`);
      app
        .close()
        .then(() => database.stop())
        .then(
          () => {
            logger.log('Stopped');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error(`Stopping failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
          },
        );
    });
  }

  await app.listen({ port: config.port, host: config.host });
  logger.log(
    `FKApi listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port} (Swagger UI at /docs)`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`FKApi failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
