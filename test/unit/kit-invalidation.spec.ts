import { Club } from '../../src/clubs/club.entity';
import { Kit } from '../../src/kits/kit.entity';
import { KitInvalidation } from '../../src/kits/kit.invalidation';
import { Season } from '../../src/seasons/season.entity';

const rules = new KitInvalidation();
const sorted = (tags: readonly string[]): string[] => [...tags].sort();
const FAMILIES = ['kits:bulk', 'kits:list', 'search:kits'];

describe('KitInvalidation (what a kit write drops)', () => {
  it('drops the lists of both the old and the new club and season when a kit moves', () => {
    const change = rules.changed({
      operation: 'update',
      id: 8,
      before: { id: 8, teamId: 1, seasonId: 2 },
      after: { id: 8, teamId: 3, seasonId: 4 },
    });
    expect(sorted(change.tags)).toEqual(
      sorted([...FAMILIES, 'kit:8', 'club_kits:1', 'season_kits:2', 'club_kits:3', 'season_kits:4']),
    );
    expect(change.lookUp).toBe(false);
  });

  it('keeps the season it had when an update only names the club', () => {
    const change = rules.changed({
      operation: 'update',
      id: 8,
      before: { teamId: 1, seasonId: 2 },
      after: { teamId: 3 },
    });
    expect(sorted(change.tags)).toEqual(
      sorted([...FAMILIES, 'kit:8', 'club_kits:1', 'club_kits:3', 'season_kits:2']),
    );
  });

  it('takes both the column and a different relation object, since TypeORM lets the relation win', () => {
    const after: Partial<Kit> = { teamId: 3, team: Object.assign(new Club(), { id: 5 }), seasonId: 2 };
    const change = rules.changed({ operation: 'insert', id: 8, after });
    expect(change.tags).toEqual(expect.arrayContaining(['club_kits:3', 'club_kits:5', 'season_kits:2']));
  });

  it('drops only the old lists when a kit is removed', () => {
    const before: Partial<Kit> = { teamId: 1, season: Object.assign(new Season(), { id: 2 }) };
    const change = rules.changed({ operation: 'delete', id: 8, before, after: { teamId: 9, seasonId: 9 } });
    expect(sorted(change.tags)).toEqual(sorted([...FAMILIES, 'kit:8', 'club_kits:1', 'season_kits:2']));
  });

  it('asks for the kit row to be read when a relation-only change names neither club nor season', () => {
    const change = rules.relationChanged(8);
    expect(sorted(change.tags)).toEqual(sorted([...FAMILIES, 'kit:8']));
    expect(change.lookUp).toBe(true);
  });
});
