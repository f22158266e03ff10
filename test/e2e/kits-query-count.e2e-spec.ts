import { Club } from '../../src/clubs/club.entity';
import { Kit } from '../../src/kits/kit.entity';
import {
  colorByName,
  makeClub,
  makeCompetition,
  makeKit,
  makeKitType,
  makeSeason,
} from '../factories/catalog';
import { countQueries } from '../utils/query-counter';
import { startTestApp, TestApp } from '../utils/test-app';

/** The SQL each kit read sends is bounded: it does not grow with the page size or the result. */
describe('kits (query counts)', () => {
  let t: TestApp;
  let club: Club;
  let kits: Kit[];

  beforeAll(async () => {
    t = await startTestApp();
    club = await makeClub(t.dataSource, { name: 'Countington' });
    const season = await makeSeason(t.dataSource, { year: '2050-51' });
    const home = await makeKitType(t.dataSource, { name: 'Home' });
    const competitions = [await makeCompetition(t.dataSource), await makeCompetition(t.dataSource)];
    const colors = await Promise.all(['White', 'Navy', 'Gold'].map((n) => colorByName(t.dataSource, n)));
    kits = [];
    for (let i = 0; i < 40; i++) {
      kits.push(
        await makeKit(
          t.dataSource,
          { team: club, season, type: home, competitions, primaryColor: colors[0], secondaryColors: colors },
          { slug: `count-${i}-kit`, name: `Countington 2050-51 Home ${i}` },
        ),
      );
    }
  });
  afterAll(async () => t.close());

  const count = async (url: string): Promise<number> => {
    const { count: n } = await countQueries(t.dataSource, async () => {
      const res = await t.request({ url });
      expect(res.statusCode).toBe(200);
    });
    return n;
  };

  it('reads a kit with every relation in one query, and none once it is cached', async () => {
    expect(await count(`/api/kits/${kits[0].id}`)).toBe(1);
    expect(await count(`/api/kit-json/${kits[1].id}`)).toBe(1);
    expect(await count(`/api/kit-json/${kits[0].id}`)).toBe(0);
    expect(await count(`/api/kits/${kits[1].id}`)).toBe(0);
  });

  it('lists kits in one query whatever the page size, and two at most past the last page', async () => {
    expect(await count(`/api/kits?club=${club.id}&page_size=5`)).toBe(1);
    expect(await count(`/api/kits?club=${club.id}&page_size=100`)).toBe(1);
    expect(await count(`/api/kits?club=${club.id}&secondary_color=White&year=2050&page_size=100`)).toBe(1);
    // The count of the filter, then its last page: both cached, shared by every page past the end.
    expect(await count(`/api/kits?club=${club.id}&page=99&page_size=5`)).toBe(2);
    expect(await count(`/api/kits?club=${club.id}&page=98&page_size=5`)).toBe(0);
    expect(await count(`/api/kits?club=${club.id}&page=99&page_size=100`)).toBe(0);
  });

  it("lists a club's kits in two queries whatever the page size", async () => {
    expect(await count(`/api/clubs/${club.id}/kits?page_size=5`)).toBe(2);
    expect(await count(`/api/clubs/${club.id}/kits?page_size=100`)).toBe(2);
    // The count (the last page, page 1 at this size, is cached already).
    expect(await count(`/api/clubs/${club.id}/kits?page=99&page_size=100`)).toBe(1);
    expect(await count(`/api/clubs/${club.id}/kits?page=98&page_size=100`)).toBe(0);
  });

  it('searches in one query per name tier tried, three at most', async () => {
    expect(await count('/api/kits/search?keyword=Countington')).toBe(1);
    expect(await count('/api/kits/search?keyword=Countington%202050')).toBe(1);
    expect(await count('/api/kits/search?keyword=Home%20Countington')).toBe(2);
    expect(await count('/api/kits/search?keyword=Nowhere%20Nothing')).toBe(3);
  });

  it('looks kits up in bulk in one query for 2 or 30 slugs', async () => {
    const slugs = (n: number) =>
      kits
        .slice(0, n)
        .map((k) => k.slug)
        .join(',');
    expect(await count(`/api/kits/bulk?slugs=${slugs(2)}`)).toBe(1);
    expect(await count(`/api/kits/bulk?slugs=${slugs(30)}`)).toBe(1);
  });

  it('draws random kits in two queries whatever the page size', async () => {
    expect(await count('/api/random-kits/?page_size=5')).toBe(2);
    expect(await count('/api/random-kits/?page_size=100')).toBe(2);
  });

  it('sends no query for a request refused by validation', async () => {
    for (const url of ['/api/kits?primary_color=red', '/api/kits/bulk?slugs=a', '/api/kits?page=0']) {
      const { count: n } = await countQueries(t.dataSource, () => t.request({ url }));
      expect(n).toBe(0);
    }
  });
});
