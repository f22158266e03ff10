import { CliCommand } from '../command';
import { parseOptions } from './parse-options';

/** `migrate`: applies pending migrations (opening the database does it) and says where the schema stands. */
export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Apply pending database migrations',
  usage: 'migrate',

  async run(args, { io, withDatabase }) {
    parseOptions(args, {});
    await withDatabase(async (dataSource) => {
      const [{ count }] = await dataSource.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM migrations',
      );
      io.stdout.write(`The database schema is up to date (${count} migrations applied)\n`);
    });
  },
};
