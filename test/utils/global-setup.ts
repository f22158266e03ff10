import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { BASE_DATABASE_URL, databaseUrl, TEMPLATE_DATABASE } from './services';

/** Builds the migrated template database every test file clones. Runs once per jest run. */
export default async function globalSetup(): Promise<void> {
  const admin = new Client({ connectionString: BASE_DATABASE_URL });
  await admin.connect();
  try {
    // Leftovers of an interrupted run.
    const stale = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'fkapi_test_%'",
    );
    for (const { datname } of stale.rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const template = new DataSource(dataSourceOptions(databaseUrl(TEMPLATE_DATABASE), 1));
  await template.initialize();
  await template.runMigrations();
  await template.destroy();
}
