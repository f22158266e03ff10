import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_SCHEMA_VERSION } from '../../src/cache/cache-key';
import { cachedShapes, changedShapes } from '../utils/cached-shapes';

const ROOT = join(__dirname, '..', '..');
/** The shapes the current `CACHE_SCHEMA_VERSION` was recorded with. */
const RECORD = join(ROOT, 'test/fixtures/cache-schema.json');

interface Recorded {
  version: number;
  shapes: Record<string, string>;
}

/**
 * Cache keys carry a schema version (`fkapi:v1:club_5`) so a deploy never serves JSON of the old
 * shape. This test is what makes the version move: the committed `openapi.json` (kept equal to
 * the code by `openapi.e2e-spec.ts`) gives the shape of every cached answer; when one differs
 * from what the current version was recorded with, the version must be new.
 *
 * After changing a cached DTO: bump `CACHE_SCHEMA_VERSION` in `src/cache/cache-key.ts`, then
 * `UPDATE_CACHE_SCHEMA=1 npx jest test/unit/cache-schema-version` records the new shapes.
 */
describe('the cache schema version', () => {
  const document = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8'));
  const recorded = JSON.parse(readFileSync(RECORD, 'utf8')) as Recorded;

  it('is new whenever the shape of a cached answer changed', () => {
    const now = cachedShapes(document);
    const changed = changedShapes(now, recorded.shapes);
    if (process.env.UPDATE_CACHE_SCHEMA === '1' && CACHE_SCHEMA_VERSION > recorded.version) {
      writeFileSync(RECORD, `${JSON.stringify({ version: CACHE_SCHEMA_VERSION, shapes: now }, null, 2)}\n`);
      return;
    }
    if (changed.length > 0 && CACHE_SCHEMA_VERSION === recorded.version)
      throw new Error(
        `Cached answers changed shape (${changed.join(', ')}) under the same CACHE_SCHEMA_VERSION ` +
          `${CACHE_SCHEMA_VERSION}: bump it in src/cache/cache-key.ts, then record the shapes with ` +
          'UPDATE_CACHE_SCHEMA=1 npx jest test/unit/cache-schema-version',
      );
    expect(recorded.version).toBe(CACHE_SCHEMA_VERSION);
    expect(changed).toEqual([]);
  });

  it('covers every cached route and what it returns, not the probes or the cache administration', () => {
    const names = Object.keys(recorded.shapes);
    expect(names).toEqual(
      expect.arrayContaining(['GET /api/kits/{kit_id}', 'KitDetailDto', 'GET /api/clubs/search', 'ClubDto']),
    );
    expect(names).toEqual(
      expect.arrayContaining(['GET /api/user-collection/{userid}', 'UserCollectionPageDto']),
    );
    expect(names.filter((name) => /health|cache\//i.test(name))).toEqual([]);
  });

  it('notices a field added deep in a cached DTO, a changed wrapper and a new cached route', () => {
    const before = cachedShapes(document);
    const changed = structuredClone(document);
    changed.components.schemas.ColorDto.properties.shade = { type: 'string' };
    changed.paths['/api/kits'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/KitListItemDto',
    };
    changed.paths['/api/kits/newest'] = structuredClone(changed.paths['/api/kits/{kit_id}']);
    expect(changedShapes(cachedShapes(changed), before)).toEqual([
      'ColorDto',
      'GET /api/kits',
      'GET /api/kits/newest',
    ]);
  });
});
