import { DataSource, Logger } from 'typeorm';

export interface QueryCount {
  /** Number of SQL statements sent while `run` was in flight. */
  count: number;
  statements: string[];
}

/**
 * Counts the SQL statements an action sends. Every statement TypeORM runs (query builders,
 * entity manager, raw `query`) goes through `QueryRunner.query`, which reports it to
 * `dataSource.logger.logQuery` before sending it; the logger is swapped for a counting wrapper
 * for the duration of `run`. The outbox drainer's background polling (`cache_outbox`, and the
 * transaction statements around it) is not the request's work and is left out.
 */
export async function countQueries(dataSource: DataSource, run: () => Promise<unknown>): Promise<QueryCount> {
  const original = dataSource.logger;
  const statements: string[] = [];
  const counting: Logger = {
    logQuery: (query, parameters, queryRunner) => {
      if (!isBackgroundWork(query)) statements.push(query);
      return original.logQuery(query, parameters, queryRunner);
    },
    logQueryError: (error, query, parameters, queryRunner) =>
      original.logQueryError(error, query, parameters, queryRunner),
    logQuerySlow: (time, query, parameters, queryRunner) =>
      original.logQuerySlow(time, query, parameters, queryRunner),
    logSchemaBuild: (message, queryRunner) => original.logSchemaBuild(message, queryRunner),
    logMigration: (message, queryRunner) => original.logMigration(message, queryRunner),
    log: (level, message, queryRunner) => original.log(level, message, queryRunner),
  };
  dataSource.logger = counting;
  try {
    await run();
  } finally {
    dataSource.logger = original;
  }
  return { count: statements.length, statements };
}

function isBackgroundWork(query: string): boolean {
  return /cache_outbox/.test(query) || /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)/i.test(query.trim());
}
