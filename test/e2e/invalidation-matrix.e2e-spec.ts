import { Club } from '../../src/clubs/club.entity';
import { Kit } from '../../src/kits/kit.entity';
import {
  describeMatrix,
  ids,
  read,
  Row,
  Scenario,
  send,
  unrelated,
  World,
} from '../utils/invalidation-matrix';

/**
 * The invalidation matrix for club, season, brand and competition writes, and for writes that
 * roll back. Kit writes are in invalidation-matrix-kits.e2e-spec.ts; the harness (a catalogue per
 * test, warming, hit detection) in test/utils/invalidation-matrix.ts.
 */

const capitalised = (word: string): string => word[0].toUpperCase() + word.slice(1);

const kept = (it: string, reads: (w: World) => string[]): Row => ({ it, reads, then: 'kept' });

/** Kits listed by a kit list, club kits page or search reply. */
const listed = (reply: Parameters<typeof ids>[0], kitId: number): boolean => ids(reply).includes(kitId);

// ---- clubs ----

const clubCreated: Scenario = {
  when: 'a club is created',
  write: (t, w) =>
    send(t, 'POST', '/api/clubs', 201, { name: `${capitalised(w.newWord)} Athletic`, country: 'GB' }),
  rows: [
    {
      it: 'lets the club search find it',
      reads: (w) => [read.searchClubs(w.newWord)],
      then: ([found], w, written) =>
        expect(found.json()).toEqual([
          {
            id: written?.json().id,
            name: `${capitalised(w.newWord)} Athletic`,
            slug: `${w.newWord}-athletic-kits`,
            logo: null,
          },
        ]),
    },
    kept("keeps every club's detail, kits page and seasons cached", (w) => [
      read.club(w.home.id),
      read.clubKits(w.home.id),
      read.seasonsOfClub(w.home.id),
      ...unrelated.club(w),
    ]),
    kept('keeps kit details and bulk answers cached', (w) => [
      read.kit(w.subject.id),
      read.bulk(w.subject.slug, w.sibling.slug),
    ]),
    kept('keeps the season, brand and competition details and searches cached', (w) => [
      read.season(w.s1.id),
      read.brand(w.brand.id),
      read.competition(w.cup.id),
      read.searchSeasons(w.s1.year),
      read.searchBrands(w.word.brand),
      read.searchCompetitions(w.word.cup),
    ]),
  ],
};

const clubUpdated: Scenario = {
  when: 'a club is renamed and changes country',
  write: (t, w) =>
    send(t, 'PATCH', `/api/clubs/${w.home.id}`, 200, {
      name: `${capitalised(w.newWord)} United`,
      country: 'ES',
    }),
  rows: [
    {
      it: 'drops its detail',
      reads: (w) => [read.club(w.home.id)],
      then: ([club], w) =>
        expect(club.json()).toEqual({
          id: w.home.id,
          id_fka: null,
          name: `${capitalised(w.newWord)} United`,
          slug: w.home.slug,
          logo: w.home.logo,
          logo_dark: null,
          country: 'ES',
        }),
    },
    {
      // The slug keeps the old word, so a search for it still finds the club, under its new name.
      it: 'drops the club searches for its old and its new name',
      reads: (w) => [read.searchClubs(w.word.home), read.searchClubs(w.newWord)],
      then: (searches, w) => {
        for (const found of searches) {
          expect(found.json()).toEqual([
            expect.objectContaining({ id: w.home.id, name: `${capitalised(w.newWord)} United` }),
          ]);
        }
      },
    },
    {
      it: "drops its kits' details and kit JSON, which show the new name as team.name",
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id), read.kit(w.sibling.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json().team).toMatchObject({
            id: w.home.id,
            name: `${capitalised(w.newWord)} United`,
            country: 'ES',
          });
        }
      },
    },
    {
      it: 'drops the kit search, whose results show the new name as team_name',
      reads: (w) => [read.searchKits(w.word.subject)],
      then: ([found], w) =>
        expect(found.json()).toEqual([
          expect.objectContaining({ id: w.subject.id, team_name: `${capitalised(w.newWord)} United` }),
        ]),
    },
    {
      it: 'drops the bulk answer, which shows the club',
      reads: (w) => [read.bulk(w.subject.slug, w.awayKit.slug)],
      then: ([bulk], w) =>
        expect(bulk.json().map((k: { team: { name: string } }) => k.team.name)).toEqual([
          `${capitalised(w.newWord)} United`,
          w.away.name,
        ]),
    },
    {
      it: 'drops the kit lists filtered by its old and its new country',
      reads: () => [read.kits({ country: 'GB' }), read.kits({ country: 'ES' })],
      then: ([oldCountry, newCountry], w) => {
        expect(listed(oldCountry, w.subject.id) || listed(oldCountry, w.sibling.id)).toBe(false);
        expect(ids(newCountry).slice(0, 2)).toEqual([w.sibling.id, w.subject.id]);
      },
    },
    kept("keeps other clubs' details, kits pages and seasons cached", (w) => [
      read.club(w.away.id),
      read.clubKits(w.away.id),
      ...unrelated.club(w),
    ]),
    kept("keeps other clubs' kits' details and bulk answers cached", (w) => [
      read.kit(w.awayKit.id),
      ...unrelated.kit(w),
      read.bulk(w.awayKit.slug, w.otherKit.slug),
    ]),
    kept('keeps the season, brand and competition details and searches cached', (w) => [
      read.season(w.s1.id),
      read.brand(w.brand.id),
      read.competition(w.cup.id),
      read.searchSeasons(w.s1.year),
      read.searchBrands(w.word.brand),
      read.searchCompetitions(w.word.cup),
    ]),
  ],
};

const clubDeleted: Scenario = {
  when: 'a club is deleted (its kits go with it, by cascade in the database)',
  write: (t, w) => send(t, 'DELETE', `/api/clubs/${w.home.id}`, 204),
  rows: [
    {
      it: 'answers 404 for its detail, its kits page and its seasons',
      reads: (w) => [read.club(w.home.id), read.clubKits(w.home.id), read.seasonsOfClub(w.home.id)],
      then: (replies) => {
        for (const reply of replies) expect(reply.statusCode).toBe(404);
      },
    },
    {
      it: 'answers 404 for the details and kit JSON of its kits',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id), read.kit(w.sibling.id)],
      then: (replies) => {
        for (const reply of replies) expect(reply.statusCode).toBe(404);
      },
    },
    {
      it: 'drops it from the club search',
      reads: (w) => [read.searchClubs(w.word.home)],
      then: ([found]) => expect(found.json()).toEqual([]),
    },
    {
      it: 'drops its kits from the kit lists: unfiltered and by club, season, colour and country',
      reads: (w) => [
        read.kits(),
        read.kits({ club: w.home.id }),
        read.kits({ season: w.s1.id }),
        read.kits({ primary_color: 'Red' }),
        read.kits({ country: 'GB' }),
      ],
      then: (lists, w) => {
        for (const list of lists) {
          expect(listed(list, w.subject.id) || listed(list, w.sibling.id)).toBe(false);
        }
      },
    },
    {
      it: 'drops its kits from the kit search and the bulk answer',
      reads: (w) => [read.searchKits(w.word.subject), read.bulk(w.subject.slug, w.awayKit.slug)],
      then: ([found, bulk], w) => {
        expect(found.json()).toEqual([]);
        expect(ids(bulk)).toEqual([w.awayKit.id]);
      },
    },
    kept("keeps other clubs' details, kits pages and seasons cached", (w) => [
      read.club(w.away.id),
      read.clubKits(w.away.id),
      read.seasonsOfClub(w.away.id),
      ...unrelated.club(w),
    ]),
    kept("keeps other clubs' kits' details cached", (w) => [read.kit(w.awayKit.id), ...unrelated.kit(w)]),
    kept("keeps the details of its kits' season, brand and competition cached", (w) => [
      read.season(w.s1.id),
      read.brand(w.brand.id),
      read.competition(w.cup.id),
    ]),
  ],
};

// ---- seasons ----

const seasonCreated: Scenario = {
  when: 'a season is created',
  write: (t, w) => send(t, 'POST', '/api/seasons', 201, { year: w.newYear.year }),
  rows: [
    {
      it: 'lets the season search find it',
      reads: (w) => [read.searchSeasons(w.newYear.year)],
      then: ([found], w, written) =>
        expect(found.json()).toEqual([{ id: written?.json().id, year: w.newYear.year }]),
    },
    kept("keeps season details and clubs' seasons cached", (w) => [
      read.season(w.s1.id),
      read.seasonsOfClub(w.home.id),
    ]),
    kept('keeps kit details, club kits pages and bulk answers cached', (w) => [
      read.kit(w.subject.id),
      read.clubKits(w.home.id),
      read.bulk(w.subject.slug, w.sibling.slug),
    ]),
    kept('keeps the club, brand and competition searches cached', (w) => [
      read.searchClubs(w.word.home),
      read.searchBrands(w.word.brand),
      read.searchCompetitions(w.word.cup),
    ]),
  ],
};

const seasonUpdated: Scenario = {
  when: "a season's year is changed",
  write: (t, w) => send(t, 'PATCH', `/api/seasons/${w.s1.id}`, 200, { year: w.newYear.year }),
  rows: [
    {
      it: 'drops its detail',
      reads: (w) => [read.season(w.s1.id)],
      then: ([season], w) =>
        expect(season.json()).toEqual({
          id: w.s1.id,
          year: w.newYear.year,
          first_year: String(w.newYear.first),
          second_year: String(w.newYear.first + 1),
        }),
    },
    {
      it: 'drops the season searches for its old and its new year',
      reads: (w) => [read.searchSeasons(w.s1.year), read.searchSeasons(w.newYear.year)],
      then: ([byOldYear, byNewYear], w) => {
        expect(byOldYear.json()).toEqual([]);
        expect(byNewYear.json()).toEqual([{ id: w.s1.id, year: w.newYear.year }]);
      },
    },
    {
      it: 'drops the seasons of a club with a kit in it',
      reads: (w) => [read.seasonsOfClub(w.home.id)],
      then: ([seasons], w) => expect(seasons.json()).toContainEqual({ id: w.s1.id, year: w.newYear.year }),
    },
    {
      it: "drops its kits' details and kit JSON",
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json().season).toEqual({
            id: w.s1.id,
            year: w.newYear.year,
            first_year: String(w.newYear.first),
            second_year: String(w.newYear.first + 1),
          });
        }
      },
    },
    {
      it: 'drops the kit search (season_year) and the bulk answer (season.year)',
      reads: (w) => [read.searchKits(w.word.subject), read.bulk(w.subject.slug, w.sibling.slug)],
      then: ([found, bulk], w) => {
        expect(found.json()).toEqual([
          expect.objectContaining({ id: w.subject.id, season_year: w.newYear.year }),
        ]);
        expect(bulk.json()[0].season).toEqual({ id: w.s1.id, year: w.newYear.year });
      },
    },
    {
      it: 'drops the kit lists filtered by its old and its new first year',
      reads: (w) => [read.kits({ first_year: w.s1.firstYear }), read.kits({ first_year: w.newYear.first })],
      then: ([oldYear, newYear], w) => {
        expect(oldYear.json()).toEqual([]);
        expect(ids(newYear)).toEqual([w.subject.id]);
      },
    },
    kept('keeps the kits page of the club with a kit in it cached (it does not show seasons)', (w) => [
      read.clubKits(w.home.id),
    ]),
    kept("keeps other seasons' details and the club's detail cached", (w) => [
      read.season(w.s2.id),
      read.season(w.s3.id),
      read.club(w.home.id),
    ]),
    kept('keeps the entries of kits in other seasons cached', (w) => [
      read.kit(w.sibling.id),
      ...unrelated.kit(w),
      read.bulk(w.awayKit.slug, w.otherKit.slug),
      ...unrelated.club(w),
    ]),
  ],
};

const seasonDeleted: Scenario = {
  when: 'a season is deleted (its kits go with it, by cascade in the database)',
  write: (t, w) => send(t, 'DELETE', `/api/seasons/${w.s1.id}`, 204),
  rows: [
    {
      it: 'answers 404 for its detail',
      reads: (w) => [read.season(w.s1.id)],
      then: ([season]) => expect(season.statusCode).toBe(404),
    },
    {
      it: 'answers 404 for the details and kit JSON of its kits',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (replies) => {
        for (const reply of replies) expect(reply.statusCode).toBe(404);
      },
    },
    {
      it: "drops it from the season search and from its clubs' seasons",
      reads: (w) => [read.searchSeasons(w.s1.year), read.seasonsOfClub(w.home.id)],
      then: ([found, seasons], w) => {
        expect(found.json()).toEqual([]);
        expect(ids(seasons)).toEqual([w.s2.id]);
      },
    },
    {
      it: "drops its kits from their club's kits pages",
      reads: (w) => [read.clubKits(w.home.id), read.clubKits(w.home.id, w.s1.id)],
      then: ([all, ofSeason], w) => {
        expect(ids(all)).toEqual([w.sibling.id]);
        expect(ofSeason.statusCode).toBe(200);
        expect(ofSeason.json()).toEqual([]);
      },
    },
    {
      it: 'drops its kits from the kit lists: unfiltered and by season, club, colour and country',
      reads: (w) => [
        read.kits(),
        read.kits({ season: w.s1.id }),
        read.kits({ club: w.home.id }),
        read.kits({ primary_color: 'Red' }),
        read.kits({ country: 'GB' }),
      ],
      then: (lists, w) => {
        for (const list of lists) expect(listed(list, w.subject.id)).toBe(false);
      },
    },
    {
      it: 'drops its kits from the kit search and the bulk answer',
      reads: (w) => [read.searchKits(w.word.subject), read.bulk(w.subject.slug, w.sibling.slug)],
      then: ([found, bulk], w) => {
        expect(found.json()).toEqual([]);
        expect(ids(bulk)).toEqual([w.sibling.id]);
      },
    },
    kept("keeps other seasons' details and the club's detail cached", (w) => [
      read.season(w.s2.id),
      read.season(w.s3.id),
      read.club(w.home.id),
    ]),
    kept('keeps the entries of kits in other seasons cached', (w) => [
      read.kit(w.sibling.id),
      ...unrelated.kit(w),
      ...unrelated.club(w),
    ]),
  ],
};

// ---- brands ----

const brandCreated: Scenario = {
  when: 'a brand is created',
  write: (t, w) => send(t, 'POST', '/api/brands', 201, { name: capitalised(w.newWord) }),
  rows: [
    {
      it: 'lets the brand search find it',
      reads: (w) => [read.searchBrands(w.newWord)],
      then: ([found], w, written) =>
        expect(found.json()).toEqual([
          {
            id: written?.json().id,
            name: capitalised(w.newWord),
            slug: `${w.newWord}-kits`,
            logo: null,
            logo_dark: null,
          },
        ]),
    },
    kept('keeps brand details, kit details and bulk answers cached', (w) => [
      read.brand(w.brand.id),
      read.brand(w.otherBrand.id),
      read.kit(w.subject.id),
      read.bulk(w.subject.slug, w.sibling.slug),
    ]),
    kept('keeps club kits pages and the club and competition searches cached', (w) => [
      read.clubKits(w.home.id),
      read.searchClubs(w.word.home),
      read.searchCompetitions(w.word.cup),
    ]),
  ],
};

const brandUpdated: Scenario = {
  when: 'a brand is renamed',
  write: (t, w) => send(t, 'PATCH', `/api/brands/${w.brand.id}`, 200, { name: capitalised(w.newWord) }),
  rows: [
    {
      it: 'drops its detail',
      reads: (w) => [read.brand(w.brand.id)],
      then: ([brand], w) =>
        expect(brand.json()).toMatchObject({ id: w.brand.id, name: capitalised(w.newWord) }),
    },
    {
      // The slug keeps the old word, so a search for it still finds the brand, under its new name.
      it: 'drops the brand searches for its old and its new name',
      reads: (w) => [read.searchBrands(w.word.brand), read.searchBrands(w.newWord)],
      then: (searches, w) => {
        for (const found of searches) {
          expect(found.json()).toEqual([
            expect.objectContaining({ id: w.brand.id, name: capitalised(w.newWord) }),
          ]);
        }
      },
    },
    {
      it: "drops its kits' details, kit JSON and bulk answers, which show the brand",
      reads: (w) => [
        read.kit(w.subject.id),
        read.kitJson(w.subject.id),
        read.bulk(w.subject.slug, w.sibling.slug),
      ],
      then: ([detail, legacy, bulk], w) => {
        for (const kit of [detail.json(), legacy.json(), bulk.json()[0]]) {
          expect(kit.brand).toMatchObject({ id: w.brand.id, name: capitalised(w.newWord) });
        }
      },
    },
    kept("keeps other brands' details cached", (w) => [
      read.brand(w.sharedBrand.id),
      read.brand(w.otherBrand.id),
    ]),
    kept("keeps its kits' club kits page, seasons and club cached (they do not show brands)", (w) => [
      read.clubKits(w.home.id),
      read.seasonsOfClub(w.home.id),
      read.club(w.home.id),
    ]),
    kept('keeps the entries of kits of other brands cached', (w) => [
      read.kit(w.sibling.id),
      ...unrelated.kit(w),
      read.bulk(w.awayKit.slug, w.otherKit.slug),
      ...unrelated.club(w),
    ]),
  ],
};

const brandDeleted: Scenario = {
  when: 'a brand is deleted (its kits go with it, by cascade in the database)',
  write: (t, w) => send(t, 'DELETE', `/api/brands/${w.brand.id}`, 204),
  rows: [
    {
      it: 'answers 404 for its detail and drops it from the brand search',
      reads: (w) => [read.brand(w.brand.id), read.searchBrands(w.word.brand)],
      then: ([brand, found]) => {
        expect(brand.statusCode).toBe(404);
        expect(found.json()).toEqual([]);
      },
    },
    {
      it: 'answers 404 for the details and kit JSON of its kits',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (replies) => {
        for (const reply of replies) expect(reply.statusCode).toBe(404);
      },
    },
    {
      it: "drops its kits from their club's kits pages",
      reads: (w) => [read.clubKits(w.home.id), read.clubKits(w.home.id, w.s1.id)],
      then: ([all, ofSeason], w) => {
        expect(ids(all)).toEqual([w.sibling.id]);
        expect(ofSeason.json()).toEqual([]);
      },
    },
    {
      it: "drops from the club's seasons a season only its kits were in",
      reads: (w) => [read.seasonsOfClub(w.home.id)],
      then: ([seasons], w) => expect(ids(seasons)).toEqual([w.s2.id]),
    },
    {
      it: 'drops its kits from the kit lists, the kit search and the bulk answer',
      reads: (w) => [
        read.kits(),
        read.kits({ club: w.home.id }),
        read.kits({ primary_color: 'Red' }),
        read.searchKits(w.word.subject),
        read.bulk(w.subject.slug, w.sibling.slug),
      ],
      then: (replies, w) => {
        for (const reply of replies) expect(listed(reply, w.subject.id)).toBe(false);
      },
    },
    kept("keeps other brands' details cached", (w) => [
      read.brand(w.sharedBrand.id),
      read.brand(w.otherBrand.id),
    ]),
    kept("keeps the details of its kits' club, season and competition cached", (w) => [
      read.club(w.home.id),
      read.season(w.s1.id),
      read.competition(w.cup.id),
    ]),
    kept('keeps the entries of kits of other brands cached', (w) => [
      read.kit(w.sibling.id),
      ...unrelated.kit(w),
      ...unrelated.club(w),
    ]),
  ],
};

// ---- competitions ----

const competitionReadsThatShowNoCompetition = (w: World) => [
  read.kits(),
  read.kits({ club: w.home.id }),
  read.kits({ primary_color: 'Red' }),
  read.clubKits(w.home.id),
  read.seasonsOfClub(w.home.id),
  read.searchKits(w.word.subject),
  read.bulk(w.subject.slug, w.sibling.slug),
];

const competitionCreated: Scenario = {
  when: 'a competition is created',
  write: (t, w) => send(t, 'POST', '/api/competitions', 201, { name: `${capitalised(w.newWord)} Trophy` }),
  rows: [
    {
      it: 'lets the competition search find it',
      reads: (w) => [read.searchCompetitions(w.newWord)],
      then: ([found], w, written) =>
        expect(found.json()).toEqual([
          expect.objectContaining({ id: written?.json().id, name: `${capitalised(w.newWord)} Trophy` }),
        ]),
    },
    kept('keeps competition details and kit details cached', (w) => [
      read.competition(w.cup.id),
      read.competition(w.league.id),
      read.kit(w.subject.id),
    ]),
    kept(
      'keeps kit lists, club kits pages, seasons, the kit search and bulk answers cached',
      competitionReadsThatShowNoCompetition,
    ),
  ],
};

const competitionUpdated: Scenario = {
  when: 'a competition is renamed',
  write: (t, w) =>
    send(t, 'PATCH', `/api/competitions/${w.cup.id}`, 200, { name: `${capitalised(w.newWord)} Cup` }),
  rows: [
    {
      it: 'drops its detail',
      reads: (w) => [read.competition(w.cup.id)],
      then: ([competition], w) =>
        expect(competition.json()).toMatchObject({ id: w.cup.id, name: `${capitalised(w.newWord)} Cup` }),
    },
    {
      // The slug keeps the old word, so a search for it still finds the competition, under its new name.
      it: 'drops the competition searches for its old and its new name',
      reads: (w) => [read.searchCompetitions(w.word.cup), read.searchCompetitions(w.newWord)],
      then: (searches, w) => {
        for (const found of searches) {
          expect(found.json()).toEqual([
            expect.objectContaining({ id: w.cup.id, name: `${capitalised(w.newWord)} Cup` }),
          ]);
        }
      },
    },
    {
      it: 'drops the details and kit JSON of the kits in it',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details) {
          expect(detail.json().competition).toEqual([
            expect.objectContaining({ id: w.cup.id, name: `${capitalised(w.newWord)} Cup` }),
          ]);
        }
      },
    },
    kept("keeps other competitions' details cached", (w) => [
      read.competition(w.league.id),
      read.competition(w.spareCompetition.id),
    ]),
    kept('keeps the details of kits not in it cached', (w) => [
      read.kit(w.sibling.id),
      read.kit(w.awayKit.id),
    ]),
    kept(
      'keeps kit lists, club kits pages, seasons, the kit search and bulk answers cached',
      competitionReadsThatShowNoCompetition,
    ),
  ],
};

const competitionDeleted: Scenario = {
  when: 'a competition is deleted',
  write: (t, w) => send(t, 'DELETE', `/api/competitions/${w.cup.id}`, 204),
  rows: [
    {
      it: 'answers 404 for its detail and drops it from the competition search',
      reads: (w) => [read.competition(w.cup.id), read.searchCompetitions(w.word.cup)],
      then: ([competition, found]) => {
        expect(competition.statusCode).toBe(404);
        expect(found.json()).toEqual([]);
      },
    },
    {
      it: 'drops it from the details and kit JSON of the kits that were in it',
      reads: (w) => [read.kit(w.subject.id), read.kitJson(w.subject.id)],
      then: (details, w) => {
        for (const detail of details)
          expect(detail.json()).toMatchObject({ id: w.subject.id, competition: [] });
      },
    },
    kept("keeps other competitions' details cached", (w) => [
      read.competition(w.league.id),
      read.competition(w.spareCompetition.id),
    ]),
    kept('keeps the details of kits not in it cached', (w) => [
      read.kit(w.sibling.id),
      read.kit(w.awayKit.id),
    ]),
    kept(
      'keeps kit lists, club kits pages, seasons, the kit search and bulk answers cached',
      competitionReadsThatShowNoCompetition,
    ),
  ],
};

// ---- rolled back ----

/** Everything that shows the subject kit or its club. */
const readsOfTheKitAndItsClub = (w: World) => [
  read.kit(w.subject.id),
  read.kitJson(w.subject.id),
  read.club(w.home.id),
  read.clubKits(w.home.id),
  read.seasonsOfClub(w.home.id),
  read.kits(),
  read.kits({ club: w.home.id }),
  read.searchKits(w.word.subject),
  read.searchClubs(w.word.home),
  read.bulk(w.subject.slug, w.sibling.slug),
];

const rejectedKitPatch: Scenario = {
  when: 'a kit change naming an unknown competition is refused (400) inside its transaction',
  write: (t, w) =>
    send(t, 'PATCH', `/api/kits/${w.subject.id}`, 400, {
      name: `${capitalised(w.newWord)} Home`,
      competition_ids: [w.cup.id, 987_654_321],
    }),
  rows: [kept('leaves every entry of the kit and its club cached and unchanged', readsOfTheKitAndItsClub)],
};

const rolledBackTransaction: Scenario = {
  when: 'a transaction that renamed a kit and its club throws and rolls back',
  write: async (t, w) => {
    await expect(
      t.dataSource.transaction(async (manager) => {
        const kit = await manager.findOneByOrFail(Kit, { id: w.subject.id });
        kit.name = `${capitalised(w.newWord)} Home`;
        await manager.save(kit);
        const club = await manager.findOneByOrFail(Club, { id: w.home.id });
        club.name = `${capitalised(w.newWord)} United`;
        await manager.save(club);
        throw new Error('abandoned after the saves');
      }),
    ).rejects.toThrow('abandoned after the saves');
    return undefined;
  },
  rows: [kept('leaves every entry of the kit and its club cached and unchanged', readsOfTheKitAndItsClub)],
};

const rolledBackDeletion: Scenario = {
  when: 'a transaction that deleted a kit throws and rolls back',
  write: async (t, w) => {
    await expect(
      t.dataSource.transaction(async (manager) => {
        await manager.remove(await manager.findOneByOrFail(Kit, { id: w.subject.id }));
        throw new Error('abandoned after the delete');
      }),
    ).rejects.toThrow('abandoned after the delete');
    return undefined;
  },
  rows: [kept('leaves every entry of the kit and its club cached and unchanged', readsOfTheKitAndItsClub)],
};

describeMatrix('invalidation matrix: catalogue writes and rollbacks', [
  clubCreated,
  clubUpdated,
  clubDeleted,
  seasonCreated,
  seasonUpdated,
  seasonDeleted,
  brandCreated,
  brandUpdated,
  brandDeleted,
  competitionCreated,
  competitionUpdated,
  competitionDeleted,
  rejectedKitPatch,
  rolledBackTransaction,
  rolledBackDeletion,
]);
