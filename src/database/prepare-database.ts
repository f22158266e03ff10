import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { startEmbeddedPostgres } from './embedded-postgres';
import { loadDemoDataOnce } from './seed/demo-data';

export interface PreparedDatabase {
  url: string;
  /** Stops the embedded server, if one was started. */
  stop(): Promise<void>;
}

/**
 * Resolves the database the API runs on: `DATABASE_URL` when set, else an embedded PostgreSQL
 * under `EMBEDDED_PG_DIR`. Runs pending migrations, then (embedded, or `DEMO_DATA`) loads the
 * demo catalogue if the database holds no kits yet.
 */
export async function prepareDatabase(config: AppConfig, logger: Logger): Promise<PreparedDatabase> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config, logger);
  const url = config.databaseUrl ?? embedded!.url;
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0) logger.log(`Applied ${applied.length} migration(s)`);
    if (embedded && config.demoData) {
      const loaded = await loadDemoDataOnce(dataSource);
      if (loaded) logger.log(`Loaded the demo catalogue: ${loaded.kits} kits, ${loaded.clubs} clubs`);
    }
  } catch (error) {
    await embedded?.stop();
    throw error;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
  return { url, stop: async () => embedded?.stop() };
}
