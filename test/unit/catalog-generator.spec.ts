import { slugify } from '../../src/common/text/slugify';
import { generateCatalog, KitRow } from '../../src/database/seed/catalog-generator';
import { DEMO_CATALOG } from '../../src/database/seed/demo-data';
import { COUNTRIES, NATIONAL_TEAM_VARIANTS } from '../../src/database/seed/vocabulary';
import { AVAILABLE_COLORS, AVAILABLE_DESIGNS } from '../../src/kits/kit-filters';

const allKits = (
  kits: number,
  seed = 'unit',
): { catalog: ReturnType<typeof generateCatalog>; rows: KitRow[] } => {
  const catalog = generateCatalog({ kits, seed });
  return { catalog, rows: [...catalog.kits()] };
};

describe('generateCatalog', () => {
  it.each([1, 7, 400, 20_000])('yields exactly %i kits, with one club per ten kits', (kits) => {
    const { catalog, rows } = allKits(kits);
    expect(rows).toHaveLength(kits);
    expect(catalog.kitCount).toBe(kits);
    expect(catalog.clubs).toHaveLength(Math.max(1, Math.round(kits / 10)));
  });

  it('gives the same catalogue for the same seed and another one for another seed', () => {
    const a = allKits(3000, 'same');
    const b = allKits(3000, 'same');
    const c = allKits(3000, 'other');
    expect(b.catalog.clubs).toEqual(a.catalog.clubs);
    expect(b.rows).toEqual(a.rows);
    expect(c.catalog.clubs.map((x) => x.name)).not.toEqual(a.catalog.clubs.map((x) => x.name));
  });

  it('makes every slug unique and shapes kit names and slugs like the source site', () => {
    const { catalog, rows } = allKits(20_000);
    for (const list of [catalog.clubs, catalog.brands, catalog.competitions, rows]) {
      expect(new Set(list.map((r) => r.slug)).size).toBe(list.length);
    }
    for (const kit of rows.slice(0, 2000)) {
      const club = catalog.clubs[kit.club];
      const season = catalog.seasons[kit.season];
      const type = catalog.kitTypes[kit.type];
      expect(kit.name).toBe(`${club.name} ${season.year} ${type.name}`);
      expect(kit.slug).toBe(`${club.slug.replace(/-kits$/, '')}-${season.year}-${slugify(type.name)}-kit`);
      expect(club.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*-kits$/);
    }
  });

  it('gives a club at most one kit per season and kit type, club sides two-year seasons, national sides single years', () => {
    const { catalog, rows } = allKits(20_000);
    const combos = new Set(rows.map((k) => `${k.club}/${k.season}/${k.type}`));
    expect(combos.size).toBe(rows.length);
    const nationalNames = new Set(
      COUNTRIES.flatMap((c) => NATIONAL_TEAM_VARIANTS.map((v) => `${c.name}${v}`)),
    );
    const national = rows.filter((k) => nationalNames.has(catalog.clubs[k.club].name));
    expect(national.length).toBeGreaterThan(0);
    for (const kit of rows) {
      const singleYear = catalog.seasons[kit.season].secondYear === null;
      expect(singleYear).toBe(nationalNames.has(catalog.clubs[kit.club].name));
    }
  });

  it('uses only the API’s colour and design values, never a primary colour twice on one kit', () => {
    const { rows } = allKits(5000);
    const colors: readonly string[] = AVAILABLE_COLORS;
    const designs: readonly string[] = AVAILABLE_DESIGNS;
    for (const kit of rows) {
      expect(designs).toContain(kit.design);
      expect(colors).toContain(kit.primaryColor);
      expect(kit.secondaryColors).not.toContain(kit.primaryColor);
      expect(new Set(kit.secondaryColors).size).toBe(kit.secondaryColors.length);
      expect(kit.rating).toBeGreaterThanOrEqual(0);
      expect(kit.rating).toBeLessThanOrEqual(5);
    }
    expect(new Set(rows.map((k) => k.design)).size).toBe(AVAILABLE_DESIGNS.length);
  });

  it('gives competitions to match kits only', () => {
    const { catalog, rows } = allKits(5000);
    for (const kit of rows) {
      if (catalog.kitTypes[kit.type].category !== 'match') expect(kit.competitions).toEqual([]);
    }
    expect(rows.filter((k) => k.competitions.length > 0).length).toBeGreaterThan(rows.length / 2);
  });

  it('includes accented names, so accent-insensitive search has something to find', () => {
    const { catalog } = allKits(20_000);
    const accented = catalog.clubs.filter(
      (c) => c.name !== c.name.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''),
    );
    expect(accented.length).toBeGreaterThan(catalog.clubs.length / 10);
    const words = new Set(catalog.clubs.flatMap((c) => c.name.split(' ')));
    expect(words.size).toBeGreaterThan(1000);
  });

  it('builds the demo catalogue: 50 clubs, 400 kits, seasons 2019-20 to 2024-25 plus even single years, 8 brands', () => {
    const catalog = generateCatalog(DEMO_CATALOG);
    expect([...catalog.kits()]).toHaveLength(400);
    expect(catalog.clubs).toHaveLength(50);
    expect(catalog.brands).toHaveLength(8);
    expect(catalog.competitions.length).toBeGreaterThanOrEqual(8);
    expect(catalog.competitions.length).toBeLessThanOrEqual(12);
    expect(catalog.seasons.map((s) => s.year)).toEqual([
      '2019-20',
      '2020-21',
      '2021-22',
      '2022-23',
      '2023-24',
      '2024-25',
      '2020',
      '2022',
      '2024',
    ]);
    expect(catalog.seasons[5]).toEqual({ year: '2024-25', firstYear: '2024', secondYear: '2025' });
    expect(catalog.seasons[8]).toEqual({ year: '2024', firstYear: '2024', secondYear: null });
  });

  it('refuses more kits than the clubs can hold over the seasons', () => {
    expect(() =>
      generateCatalog({ kits: 100, clubs: 1, firstSeasonYear: 2024, lastSeasonYear: 2024 }),
    ).toThrow('100 kits do not fit 1 clubs over these seasons (at most 8)');
  });
});
