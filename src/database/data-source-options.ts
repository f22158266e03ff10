import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { DatabaseTimeouts } from '../config/app-config';
import { Brand } from '../brands/brand.entity';
import { CacheOutboxEntry } from '../cache/outbox/outbox.entity';
import { Club } from '../clubs/club.entity';
import { Color } from '../colors/color.entity';
import { Variation } from '../colors/variation.entity';
import { Competition } from '../competitions/competition.entity';
import { KitType } from '../kit-types/kit-type.entity';
import { Kit } from '../kits/kit.entity';
import { Season } from '../seasons/season.entity';
import { InitialSchema1764057600000 } from './migrations/1764057600000-InitialSchema';
import { CacheOutbox1764144000000 } from './migrations/1764144000000-CacheOutbox';
import { SearchIndexes1764230400000 } from './migrations/1764230400000-SearchIndexes';

// Ids are bigint in the schema but stay far below 2^53: let pg hand them over as numbers.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export const ENTITIES = [Color, Variation, Season, KitType, Competition, Club, Brand, Kit, CacheOutboxEntry];
export const MIGRATIONS = [InitialSchema1764057600000, CacheOutbox1764144000000, SearchIndexes1764230400000];

/**
 * With `replicaUrls`, TypeORM's `replication`: writes and transactions on the primary (`url`),
 * select query builders outside a transaction offered to the replicas, each pool `poolSize` large;
 * `ReplicaRouter` decides which reads a replica may take.
 * `timeouts`: a hung server (or a silent link to it) fails queries and connection attempts
 * within these bounds instead of holding requests for the whole outage; the failures map to
 * 503 `database_unavailable`. The statement timeout lets a live server cancel a runaway query
 * itself; the query timeout, a little longer, covers a server that does not answer at all.
 * Without them (the CLI: migrations, seeding, index builds) a statement may take as long as it needs.
 */
export function dataSourceOptions(
  url: string,
  poolSize = 10,
  replicaUrls: readonly string[] = [],
  timeouts?: DatabaseTimeouts,
): DataSourceOptions {
  return {
    type: 'postgres',
    ...(replicaUrls.length === 0
      ? { url }
      : { replication: { master: { url }, slaves: replicaUrls.map((replica) => ({ url: replica })) } }),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: {
      max: poolSize,
      application_name: 'fkapi',
      keepAlive: true,
      ...(timeouts && {
        connectionTimeoutMillis: timeouts.connectMs,
        statement_timeout: timeouts.statementMs,
        query_timeout: timeouts.queryMs,
      }),
    },
  };
}
