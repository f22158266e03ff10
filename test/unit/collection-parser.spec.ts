import {
  CatalogMatches,
  cleanEntry,
  clubSlugFromKitUrl,
  enrichEntry,
  filterAndCleanEntries,
  kitReference,
  LocalBrand,
  LocalClub,
  parseFeedPage,
  parseUserInfo,
  REMOVED_ENTRY_FIELDS,
  REMOVED_KIT_FIELDS,
} from '../../src/user-collections/collection-parser';
import { CollectionFetchError } from '../../src/user-collections/user-collections.errors';
import { upstreamEntry } from '../fixtures/collection-upstream';

function fetchError(run: () => unknown): CollectionFetchError {
  try {
    run();
  } catch (error) {
    if (error instanceof CollectionFetchError) return error;
    throw error;
  }
  throw new Error('expected a CollectionFetchError');
}

describe('parseFeedPage', () => {
  it('returns the entries and whether more pages follow', () => {
    const page = parseFeedPage(
      JSON.stringify({ success: true, entries: [{ id: 1 }, { id: 2 }], more_available: true }),
    );
    expect(page).toEqual({ entries: [{ id: 1 }, { id: 2 }], moreAvailable: true });
  });

  it('treats a missing more_available as the last page and missing entries as none', () => {
    expect(parseFeedPage('{"success":true}')).toEqual({ entries: [], moreAvailable: false });
  });

  it('skips entries that are not objects', () => {
    const page = parseFeedPage('{"success":true,"entries":[1,"x",null,[],{"id":3}],"more_available":false}');
    expect(page.entries).toEqual([{ id: 3 }]);
  });

  it.each([
    ['not JSON', '<html>busy</html>', /^Invalid JSON response from API: /],
    ['a JSON array', '[1,2]', /^API response is not a dictionary$/],
    ['a JSON string', '"ok"', /^API response is not a dictionary$/],
    [
      'success false with a message',
      '{"success":false,"error":"User not found"}',
      /^API returned error: User not found$/,
    ],
    ['success missing', '{"entries":[]}', /^API returned error: Unknown error$/],
    [
      'success as the string "true"',
      '{"success":"true","entries":[]}',
      /^API returned error: Unknown error$/,
    ],
    ['entries not a list', '{"success":true,"entries":{"a":1}}', /^API response 'entries' is not a list$/],
  ])('refuses %s with the reference message', (_label, body, message) => {
    const error = fetchError(() => parseFeedPage(body));
    expect(error.code).toBe('invalid_upstream_response');
    expect(error.message).toMatch(message);
  });

  it('shortens a long upstream error message', () => {
    const error = fetchError(() =>
      parseFeedPage(JSON.stringify({ success: false, error: 'x'.repeat(5000) })),
    );
    expect(error.message.length).toBeLessThan(250);
  });
});

describe('parseUserInfo', () => {
  it('returns the user member', () => {
    expect(parseUserInfo('{"success":true,"user":{"id":7,"name":"collector"}}')).toEqual({
      id: 7,
      name: 'collector',
    });
  });

  it.each([
    ['not JSON', 'oops'],
    ['an error', '{"error":"no such user","user":{"id":7}}'],
    ['no user', '{"success":true}'],
    ['an empty user', '{"user":{}}'],
    ['a user that is not an object', '{"user":"collector"}'],
  ])('gives undefined for %s', (_label, body) => {
    expect(parseUserInfo(body)).toBeUndefined();
  });
});

describe('filterAndCleanEntries', () => {
  it.each(['custom_team', 'custom_type', 'custom_season', 'custom_league', 'custom_brand'])(
    'drops an entry whose %s is set',
    (field) => {
      const kept = upstreamEntry();
      const custom = upstreamEntry({}, { [field]: 'My own design' });
      expect(filterAndCleanEntries([custom, kept]).map((e) => e.id)).toEqual([kept.id]);
    },
  );

  it('keeps entries whose custom fields are null or absent, in order', () => {
    const a = upstreamEntry();
    const b = { id: 5, kit: { id: 1 } };
    expect(filterAndCleanEntries([a, b]).map((e) => e.id)).toEqual([a.id, 5]);
  });

  it('treats a custom field set to false or 0 as set (only null means none)', () => {
    const entries = [upstreamEntry({}, { custom_brand: 0 }), upstreamEntry({}, { custom_league: false })];
    expect(filterAndCleanEntries(entries)).toEqual([]);
  });
});

describe('cleanEntry', () => {
  it('removes the private entry fields and the listed kit fields and keeps everything else', () => {
    const raw = upstreamEntry({ team_name: 'SS Lazio', extra_kit_field: 1 }, { condition: 'new' });
    const cleaned = cleanEntry(raw);
    for (const field of REMOVED_ENTRY_FIELDS) expect(cleaned).not.toHaveProperty(field);
    for (const field of REMOVED_KIT_FIELDS) expect(cleaned.kit).not.toHaveProperty(field);
    expect(cleaned).toMatchObject({ id: raw.id, size: 'L', condition: 'new', custom_team: null });
    expect(cleaned.kit).toEqual({
      id: (raw.kit as { id: number }).id,
      url: (raw.kit as { url: string }).url,
      team_name: 'SS Lazio',
      brand_name: 'Zzz Unknown Brand',
      season: '2020-21',
      type: 'Home',
      extra_kit_field: 1,
    });
  });

  it('does not modify its input', () => {
    const raw = upstreamEntry();
    const copy = structuredClone(raw);
    cleanEntry(raw);
    expect(raw).toEqual(copy);
  });

  it('leaves an entry without a kit object as it is, minus the private fields', () => {
    expect(cleanEntry({ id: 1, kit: 'n/a', gender: 'men' })).toEqual({ id: 1, kit: 'n/a' });
  });
});

describe('clubSlugFromKitUrl', () => {
  it.each([
    ['/ss-lazio-2020-21-home-kit/9280/', 'ss-lazio'],
    ['https://www.footballkitarchive.com/real-betis-1995-96-away-kit/123/', 'real-betis'],
    ['/arsenal-2005-06-gk-2-kit/5/', 'arsenal'],
    ['/Club-Brugge-2019-Special-Kit/6/', 'club-brugge'],
    ['/fc-porto-2003-04-05-third-kit/7', 'fc-porto'],
    ['/some-club-retro-kit/8/', 'some-club-retro-kit'],
  ])('%s → %s', (url, slug) => {
    expect(clubSlugFromKitUrl(url)).toBe(slug);
  });

  it.each(['', '/', '/only-one-segment/', '/-2020-home-kit/5/'])('gives null for %j', (url) => {
    expect(clubSlugFromKitUrl(url)).toBeNull();
  });
});

describe('kitReference', () => {
  it('reads the names, the kit id as text and the slug candidate', () => {
    expect(
      kitReference({
        kit: {
          id: 9280,
          url: '/ss-lazio-2020-21-home-kit/9280/',
          team_name: 'SS Lazio',
          brand_name: 'Macron',
        },
      }),
    ).toEqual({ brandName: 'Macron', teamName: 'SS Lazio', kitId: '9280', clubSlugCandidate: 'ss-lazio' });
  });

  it('ignores empty names, non-numeric ids and entries without a kit', () => {
    expect(kitReference({ kit: { id: 'abc', team_name: '', brand_name: 5 } })).toEqual({
      brandName: undefined,
      teamName: undefined,
      kitId: undefined,
      clubSlugCandidate: undefined,
    });
    expect(kitReference({ id: 1 })).toEqual({});
  });
});

describe('enrichEntry', () => {
  const macron: LocalBrand = {
    id: 12,
    name: 'Macron',
    slug: 'macron-kits',
    logo: 'https://l/m.png',
    logo_dark: null,
  };
  const lazio: LocalClub = {
    id: 345,
    name: 'SS Lazio',
    slug: 'ss-lazio-kits',
    logo: 'https://l/l.png',
    logo_dark: null,
    country: 'IT',
  };
  const betis: LocalClub = { ...lazio, id: 346, name: 'Real Betis', slug: 'real-betis-kits', country: 'ES' };
  const porto: LocalClub = { ...lazio, id: 347, name: 'FC Porto', slug: 'fc-porto-kits', country: 'PT' };
  const empty: CatalogMatches = {
    brandsByName: new Map(),
    clubsByName: new Map(),
    clubsByKitId: new Map(),
    clubsBySlug: new Map(),
  };

  it('adds the matched local brand and club', () => {
    const matches = {
      ...empty,
      brandsByName: new Map([['Macron', macron]]),
      clubsByName: new Map([['SS Lazio', lazio]]),
    };
    const entry = { id: 1, kit: { id: 9280, team_name: 'SS Lazio', brand_name: 'Macron' } };
    expect(enrichEntry(entry, matches)).toEqual({
      id: 1,
      kit: { id: 9280, team_name: 'SS Lazio', brand_name: 'Macron', brand: macron, club: lazio },
    });
  });

  it('falls back to the names when nothing matches', () => {
    const entry = { kit: { team_name: 'Nowhere', brand_name: 'Noname' } };
    expect(enrichEntry(entry, empty).kit).toMatchObject({
      brand: { name: 'Noname' },
      club: { name: 'Nowhere' },
    });
  });

  it('finds the club by kit id when the name does not match, and by URL after that, in that order', () => {
    const matches = {
      ...empty,
      clubsByKitId: new Map([['777', betis]]),
      clubsBySlug: new Map([['fc-porto', porto]]),
    };
    const byId = { kit: { id: 777, url: '/fc-porto-2003-04-home-kit/777/', team_name: 'Betis?' } };
    const byUrl = { kit: { id: 778, url: '/fc-porto-2003-04-home-kit/778/', team_name: 'Porto?' } };
    expect(enrichEntry(byId, matches).kit?.club).toEqual(betis);
    expect(enrichEntry(byUrl, matches).kit?.club).toEqual(porto);
  });

  it('prefers the name match over the kit id match', () => {
    const matches = {
      ...empty,
      clubsByName: new Map([['SS Lazio', lazio]]),
      clubsByKitId: new Map([['1', betis]]),
    };
    expect(enrichEntry({ kit: { id: 1, team_name: 'SS Lazio' } }, matches).kit?.club).toEqual(lazio);
  });

  it('adds no brand or club when the kit has no such name', () => {
    expect(enrichEntry({ kit: { id: 1 } }, empty)).toEqual({ kit: { id: 1 } });
    expect(enrichEntry({ id: 2 }, empty)).toEqual({ id: 2 });
  });
});
