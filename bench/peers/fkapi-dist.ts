import { join } from 'node:path';
import type { ObjectLiteral } from 'typeorm';

/**
 * The API's compiled entities and kit detail mapper (`npm run build` output), loaded at run time:
 * the peers read the same tables with the same mappings and answer the same JSON as ours, so only
 * the way they serve and cache differs.
 */
const FKAPI_DIST = process.env.FKAPI_DIST ?? join(__dirname, '..', '..', '..', 'dist');

type EntityClass = new () => ObjectLiteral;
export type KitDetail = Record<string, unknown>;

function load<T>(file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- compiled output of the API, not part of this build
  return require(join(FKAPI_DIST, file)) as T;
}

export const { ENTITIES } = load<{ ENTITIES: EntityClass[] }>('database/data-source-options.js');
export const { Kit } = load<{ Kit: EntityClass }>('kits/kit.entity.js');
export const { toKitDetailDto } = load<{ toKitDetailDto: (kit: ObjectLiteral) => KitDetail }>(
  'kits/dto/kit-detail.dto.js',
);
