import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryConfig } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Named prepared statements for the few queries whose planning costs more than their execution.
 * The kit detail (the one query of a kit detail miss) joins nine relations: PostgreSQL spends
 * about 2.4 ms planning it for 0.23 ms executing it, so cold kit reads were bound by planning.
 *
 * TypeORM sends every query unnamed, which PostgreSQL plans each time. A registered SQL text is
 * instead sent as a named statement (`fkapi_<hash of the text>`): each pooled connection parses
 * it once and PostgreSQL reuses the plan (its generic plan after five custom ones, when that is
 * no worse). Everything else about the query stays TypeORM's — logging, error wrapping, the
 * mapping to entities — because the switch happens in the pg client's `query`, where TypeORM
 * hands over the text and the values. Unregistered texts are sent as before.
 */
export class PreparedStatements {
  private readonly names = new Map<string, string>();

  /** Sends `sql` as a named statement from now on. */
  register(sql: string): void {
    if (this.names.has(sql)) return;
    this.names.set(sql, `fkapi_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`);
  }

  nameOf(sql: string): string | undefined {
    return this.names.get(sql);
  }
}

const PATCHED = Symbol('fkapi.preparedStatements');
type PatchedClient = PoolClient & { [PATCHED]?: true };
const registries = new WeakMap<DataSource, PreparedStatements>();

/**
 * The registry of one DataSource, installed on first use: every client the pool hands out
 * (`acquire`, so clients connected before this call too) sends registered texts by name.
 * Without a pg pool (another driver) the registry is inert. Replica pools (`replication`) too.
 */
export function preparedStatementsOf(dataSource: DataSource): PreparedStatements {
  const known = registries.get(dataSource);
  if (known !== undefined) return known;
  const statements = new PreparedStatements();
  registries.set(dataSource, statements);
  const { master, slaves = [] } = dataSource.driver as { master?: Pool; slaves?: Pool[] };
  for (const pool of [master, ...slaves])
    pool?.on?.('acquire', (client: PatchedClient) => {
      if (client[PATCHED]) return;
      client[PATCHED] = true;
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
        const name = typeof text === 'string' && callback === undefined ? statements.nameOf(text) : undefined;
        if (name === undefined || typeof values === 'function') return query(text, values, callback);
        const named: QueryConfig = { name, text: text as string, values: values as unknown[] | undefined };
        return query(named);
      };
    });
  return statements;
}
