import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
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

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: false,
    extra: { max: poolSize, application_name: 'fkapi' },
  };
}
