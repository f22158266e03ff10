import { Kit } from '../../src/kits/kit.entity';
import {
  describeMatrix,
  ids,
  read,
  Reply,
  Row,
  Scenario,
  send,
  unrelated,
  World,
} from '../utils/invalidation-matrix';

/**
 * The invalidation matrix for kit writes: created, renamed, deleted, moved to another club and
 * season, competitions changed, secondary and primary colours changed. Catalogue writes and
 * rolled-back writes are in invalidation-matrix.e2e-spec.ts.
 */

const capitalised = (word: string): string => word[0].toUpperCase() + word.slice(1);

/** Kits listed by a kit list, club kits page or search reply. */
const listed = (reply: Reply, kitId: number): boolean => ids(reply).includes(kitId);

const newKitSlug = (w: World) => `${w.newWord}-kit`;

const kept = (it: string, reads: (w: World) => string[]): Row => ({ it, reads, then: 'kept' });

/**
 * The entries a kit write must leave alone. A kit's club, season, brand and competitions do not
 * change when the kit does, so their details and the searches listing them stay, and so do the
 * details of other kits, even of the same club.
 */
const keptOnKitWrites: Row[] = [
  kept("keeps the details and searches of the kit's club, season, brand and competition cached", (w) => [
    read.club(w.home.id),
    read.season(w.s1.id),
    read.brand(w.brand.id),
    read.competition(w.cup.id),
    read.searchClubs(w.word.home),
    read.searchSeasons(w.s1.year),
    read.searchBrands(w.word.brand),
    read.searchCompetitions(w.word.cup),
  ]),
  kept('keeps the detail and kit JSON of the other kit of its club cached', (w) => [
    read.kit(w.sibling.id),
    read.kitJson(w.sibling.id),
  ]),
  kept("keeps another club's detail, kits page and seasons cached", unrelated.club),
  kept('keeps the detail of a kit of an uninvolved club cached', unrelated.kit),
];

const created: Scenario = {
  when: 'a kit is created',
  write: (t, w) =>
    send(t, 'POST', '/api/kits', 201, {
      name: `${capitalised(w.newWord)} Third`,
      slug: newKitSlug(w),
      team_id: w.home.id,
      season_id: w.spare.id,
      type_id: w.type.id,
      brand_id: w.brand.id,
      competition_ids: [w.cup.id],
      primary_color_id: w.colors.red.id,
      secondary_color_ids: [w.colors.navy.id],
      main_img_url: 'https://img.example/kits/new.jpg',
    }),
  rows: [
    {
      it: 'shows it first in the unfiltered kit list',
      reads: () => [read.kits()],
      then: ([list], _w, written) => expect(ids(list)[0]).toBe(written?.json().id),
    },
    {
      it: 'shows it in the kit lists filtered by its club, season, primary and secondary colour and country',
      reads: (w) => [
        read.kits({ club: w.home.id }),
        read.kits({ season: w.spare.id }),
        read.kits({ primary_color: 'Red' }),
        read.kits({ secondary_color: 'Navy' }),
        read.kits({ country: 'GB' }),
      ],
      then: (lists, w, written) => {
        const id = written?.json().id as number;
        const [byClub, bySeason, ...rest] = lists;
        expect(ids(byClub)).toEqual([id, w.sibling.id, w.subject.id]);
        expect(ids(bySeason)).toEqual([id]);
        for (const list of rest) expect(ids(list)[0]).toBe(id);
      },
    },
    {
      it: "shows it in its club's kits pages, unfiltered and of its season",
      reads: (w) => [read.clubKits(w.home.id), read.clubKits(w.home.id, w.spare.id)],
      then: ([all, ofSeason], w, written) => {
        const id = written?.json().id as number;
        expect(ids(all)).toEqual([id, w.sibling.id, w.subject.id]);
        expect(ofSeason.json()).toEqual([
          { id, name: `${capitalised(w.newWord)} Third`, main_img_url: 'https://img.example/kits/new.jpg' },
        ]);
      },
    },
    {
      it: "adds its season to the club's seasons",
      reads: (w) => [read.seasonsOfClub(w.home.id)],
      then: ([seasons], w) =>
        expect(ids(seasons).sort((a, b) => a - b)).toEqual(
          [w.s1.id, w.s2.id, w.spare.id].sort((a, b) => a - b),
        ),
    },
    {
      it: 'lets the kit search find it',
      reads: (w) => [read.searchKits(w.newWord)],
      then: ([found], w, written) =>
        expect(found.json()).toEqual([
          {
            id: written?.json().id,
            name: `${capitalised(w.newWord)} Third`,
            main_img_url: 'https://img.example/kits/new.jpg',
            team_name: w.home.name,
            season_year: w.spare.year,
          },
        ]),
    },
    {
      it: 'answers a bulk request that named its slug before it existed',
      reads: (w) => [read.bulk(newKitSlug(w), w.subject.slug)],
      then: ([bulk], w, written) => expect(ids(bulk)).toEqual([written?.json().id, w.subject.id]),
    },
    ...keptOnKitWrites,
  ],
};

const renamed: Scenario = {
  when: 'a kit is renamed',
  write: (t, w) =>
    send(t, 'PATCH', `/api/kits/${w.subject.id}`, 200, { name: `${capitalised(w.newWord)} Home` }),
  rows: [
    {
      it: 'drops its detail and its kit JSON',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json()).toMatchObject({ id: w.subject.id, name: `${capitalised(w.newWord)} Home` });
        }
      },
    },
    {
      it: "drops its club's kits pages",
      reads: (w) => [read.clubKits(w.home.id), read.clubKits(w.home.id, w.s1.id)],
      then: (pages, w) => {
        for (const page of pages) {
          expect(page.json().find((k: { id: number }) => k.id === w.subject.id)?.name).toBe(
            `${capitalised(w.newWord)} Home`,
          );
        }
      },
    },
    {
      it: 'drops the kit lists that show it: unfiltered and by club, season, colour and country',
      reads: (w) => [
        read.kits(),
        read.kits({ club: w.home.id }),
        read.kits({ season: w.s1.id }),
        read.kits({ primary_color: 'Red' }),
        read.kits({ secondary_color: 'White' }),
        read.kits({ country: 'GB' }),
      ],
      then: (lists, w) => {
        for (const list of lists) {
          expect(list.json().find((k: { id: number }) => k.id === w.subject.id)?.name).toBe(
            `${capitalised(w.newWord)} Home`,
          );
        }
      },
    },
    {
      it: 'drops the kit searches under its old and its new name',
      reads: (w) => [read.searchKits(w.word.subject), read.searchKits(w.newWord)],
      then: ([byOldName, byNewName], w) => {
        expect(byOldName.json()).toEqual([]);
        expect(ids(byNewName)).toEqual([w.subject.id]);
      },
    },
    {
      it: 'drops the bulk answer that lists it',
      reads: (w) => [read.bulk(w.sibling.slug, w.subject.slug)],
      then: ([bulk], w) =>
        expect(bulk.json().map((k: { name: string }) => k.name)).toEqual([
          w.sibling.name,
          `${capitalised(w.newWord)} Home`,
        ]),
    },
    ...keptOnKitWrites,
  ],
};

const deleted: Scenario = {
  when: 'a kit is deleted',
  write: (t, w) => send(t, 'DELETE', `/api/kits/${w.subject.id}`, 204),
  rows: [
    {
      it: 'answers 404 for its detail and its kit JSON instead of the cached body',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details) => {
        for (const detail of details) expect(detail.statusCode).toBe(404);
      },
    },
    {
      it: "drops it from its club's kits pages",
      reads: (w) => [read.clubKits(w.home.id), read.clubKits(w.home.id, w.s1.id)],
      then: ([all, ofSeason], w) => {
        expect(ids(all)).toEqual([w.sibling.id]);
        expect(ofSeason.json()).toEqual([]);
      },
    },
    {
      it: "drops from the club's seasons the season it was the only kit of",
      reads: (w) => [read.seasonsOfClub(w.home.id)],
      then: ([seasons], w) => expect(ids(seasons)).toEqual([w.s2.id]),
    },
    {
      it: 'drops it from the kit lists: unfiltered and by club, season, colour and country',
      reads: (w) => [
        read.kits(),
        read.kits({ club: w.home.id }),
        read.kits({ season: w.s1.id }),
        read.kits({ primary_color: 'Red' }),
        read.kits({ secondary_color: 'White' }),
        read.kits({ country: 'GB' }),
      ],
      then: (lists, w) => {
        for (const list of lists) expect(listed(list, w.subject.id)).toBe(false);
      },
    },
    {
      it: 'drops it from the kit search and the bulk answer',
      reads: (w) => [read.searchKits(w.word.subject), read.bulk(w.subject.slug, w.sibling.slug)],
      then: ([found, bulk], w) => {
        expect(found.json()).toEqual([]);
        expect(ids(bulk)).toEqual([w.sibling.id]);
      },
    },
    ...keptOnKitWrites,
  ],
};

const moved: Scenario = {
  when: 'a kit moves to another club and season',
  write: (t, w) =>
    send(t, 'PATCH', `/api/kits/${w.subject.id}`, 200, { team_id: w.away.id, season_id: w.spare.id }),
  rows: [
    {
      it: 'drops its detail and its kit JSON',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json()).toMatchObject({
            team: { id: w.away.id, name: w.away.name, country: 'FR' },
            season: { id: w.spare.id, year: w.spare.year },
          });
        }
      },
    },
    {
      it: 'drops the club kits page of both clubs',
      reads: (w) => [read.clubKits(w.home.id), read.clubKits(w.away.id)],
      then: ([oldClub, newClub], w) => {
        expect(ids(oldClub)).toEqual([w.sibling.id]);
        expect(ids(newClub)).toEqual([w.awayKit.id, w.subject.id]);
      },
    },
    {
      it: 'drops the season-filtered club kits page of the old club and season',
      reads: (w) => [read.clubKits(w.home.id, w.s1.id)],
      then: ([page]) => expect(page.json()).toEqual([]),
    },
    {
      it: 'drops the seasons of both clubs',
      reads: (w) => [read.seasonsOfClub(w.home.id), read.seasonsOfClub(w.away.id)],
      then: ([oldClub, newClub], w) => {
        expect(ids(oldClub)).toEqual([w.s2.id]);
        expect(ids(newClub).sort((a, b) => a - b)).toEqual([w.s2.id, w.spare.id].sort((a, b) => a - b));
      },
    },
    {
      it: 'drops the kit lists filtered by the old and the new club',
      reads: (w) => [read.kits({ club: w.home.id }), read.kits({ club: w.away.id })],
      then: ([oldClub, newClub], w) => {
        expect(ids(oldClub)).toEqual([w.sibling.id]);
        expect(ids(newClub)).toEqual([w.awayKit.id, w.subject.id]);
      },
    },
    {
      it: 'drops the kit lists filtered by the old and the new season',
      reads: (w) => [read.kits({ season: w.s1.id }), read.kits({ season: w.spare.id })],
      then: ([oldSeason, newSeason], w) => {
        expect(oldSeason.json()).toEqual([]);
        expect(ids(newSeason)).toEqual([w.subject.id]);
      },
    },
    {
      it: "drops the kit lists filtered by the old and the new club's country",
      reads: () => [read.kits({ country: 'GB' }), read.kits({ country: 'FR' })],
      then: ([oldCountry, newCountry], w) => {
        expect(listed(oldCountry, w.subject.id)).toBe(false);
        expect(listed(newCountry, w.subject.id)).toBe(true);
      },
    },
    {
      it: 'drops the kit search and the bulk answer, which show its club and season',
      reads: (w) => [read.searchKits(w.word.subject), read.bulk(w.subject.slug, w.sibling.slug)],
      then: ([found, bulk], w) => {
        expect(found.json()).toEqual([
          expect.objectContaining({ team_name: w.away.name, season_year: w.spare.year }),
        ]);
        expect(bulk.json()[0]).toMatchObject({
          id: w.subject.id,
          team: { id: w.away.id, name: w.away.name },
          season: { id: w.spare.id, year: w.spare.year },
        });
      },
    },
    kept(
      "keeps the details of the club and season it moved to, and of that club's other kit, cached",
      (w) => [
        read.club(w.away.id),
        read.season(w.spare.id),
        read.kit(w.awayKit.id),
        read.searchClubs(w.word.away),
      ],
    ),
    ...keptOnKitWrites,
  ],
};

const competitionsChanged: Scenario = {
  when: "a kit's competitions are changed",
  write: (t, w) =>
    send(t, 'PATCH', `/api/kits/${w.subject.id}`, 200, {
      competition_ids: [w.league.id, w.spareCompetition.id],
    }),
  rows: [
    {
      it: 'drops its detail and its kit JSON',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json().competition.map((c: { id: number; name: string }) => [c.id, c.name])).toEqual([
            [w.league.id, w.league.name],
            [w.spareCompetition.id, w.spareCompetition.name],
          ]);
        }
      },
    },
    kept('keeps the details of the competitions it left and joined cached', (w) => [
      read.competition(w.cup.id),
      read.competition(w.league.id),
      read.competition(w.spareCompetition.id),
    ]),
    ...keptOnKitWrites,
  ],
};

/**
 * A competition added on the junction table alone (the relation query builder): TypeORM then
 * sends no update event for the kit, only the junction row's insert event. (A query-builder
 * delete of a junction row cannot be attributed to a kit and is refused by the subscriber.)
 */
const competitionRowAdded: Scenario = {
  when: 'a kit joins a competition through the relation query builder, without touching the kit row',
  write: async (t, w) => {
    await t.dataSource.transaction((manager) =>
      manager.createQueryBuilder().relation(Kit, 'competitions').of(w.subject.id).add(w.league.id),
    );
    return undefined;
  },
  rows: [
    {
      it: 'drops its detail and its kit JSON',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json().competition.map((c: { id: number }) => c.id)).toEqual([w.cup.id, w.league.id]);
        }
      },
    },
    ...keptOnKitWrites,
  ],
};

const secondaryColorsChanged: Scenario = {
  when: "a kit's secondary colours are changed",
  write: (t, w) =>
    send(t, 'PATCH', `/api/kits/${w.subject.id}`, 200, {
      secondary_color_ids: [w.colors.navy.id, w.colors.green.id],
    }),
  rows: [
    {
      it: 'drops its detail and its kit JSON',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details) => {
        for (const detail of details) {
          expect(
            detail
              .json()
              .secondary_color.map((c: { name: string }) => c.name)
              .sort(),
          ).toEqual(['Green', 'Navy']);
        }
      },
    },
    {
      it: 'drops the kit lists filtered by the secondary colour it lost and by one it gained',
      reads: () => [
        read.kits({ secondary_color: 'White' }),
        read.kits({ secondary_color: 'Navy' }),
        read.kits({ secondary_color: 'Green' }),
      ],
      then: ([lost, gained, alsoGained], w) => {
        expect(listed(lost, w.subject.id)).toBe(false);
        expect(ids(gained)[0]).toBe(w.subject.id);
        expect(ids(alsoGained)[0]).toBe(w.subject.id);
      },
    },
    ...keptOnKitWrites,
  ],
};

const primaryColorChanged: Scenario = {
  when: "a kit's primary colour is changed",
  write: (t, w) =>
    send(t, 'PATCH', `/api/kits/${w.subject.id}`, 200, { primary_color_id: w.colors.green.id }),
  rows: [
    {
      it: 'drops its detail and its kit JSON',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json().primary_color).toEqual({
            id: w.colors.green.id,
            name: 'Green',
            color: w.colors.green.color,
          });
        }
      },
    },
    {
      it: 'drops the kit lists filtered by its old and its new primary colour',
      reads: () => [read.kits({ primary_color: 'Red' }), read.kits({ primary_color: 'Green' })],
      then: ([oldColor, newColor], w) => {
        expect(listed(oldColor, w.subject.id)).toBe(false);
        expect(ids(newColor)[0]).toBe(w.subject.id);
      },
    },
    ...keptOnKitWrites,
  ],
};

describeMatrix('invalidation matrix: kit writes', [
  created,
  renamed,
  deleted,
  moved,
  competitionsChanged,
  competitionRowAdded,
  secondaryColorsChanged,
  primaryColorChanged,
]);
