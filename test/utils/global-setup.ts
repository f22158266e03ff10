import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import {
  BASE_DATABASE_URL,
  DATABASE_NAME_PATTERN,
  databaseUrl,
  RUN_PREFIX_ENV,
  templateDatabase,
} from './services';

const STALE_AFTER_SECONDS = 6 * 3600;

/** Builds the migrated template database every test file of this run clones. Runs once per jest run. */
export default async function globalSetup(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  process.env[RUN_PREFIX_ENV] = `fkapi_t${now}_${process.pid}_`;
  const admin = new Client({ connectionString: BASE_DATABASE_URL });
  await admin.connect();
  try {
    // Leftovers of runs interrupted hours ago; never a database of a run that may still be going.
    const rows = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'fkapi\\_t%'",
    );
    for (const { datname } of rows.rows) {
      const started = Number(DATABASE_NAME_PATTERN.exec(datname)?.[1] ?? now);
      if (now - started > STALE_AFTER_SECONDS)
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${templateDatabase()}`);
  } finally {
    await admin.end();
  }
  const template = new DataSource(dataSourceOptions(databaseUrl(templateDatabase()), 1));
  await template.initialize();
  await template.runMigrations();
  await template.destroy();
}
