import { createHash } from 'node:crypto';
import {
  cacheTypeOf,
  caseFoldedKeyword,
  encodeKeyValue,
  generateCacheKey,
  NAMESPACE,
  redisKey,
} from '../../src/cache/cache-key';

describe('generateCacheKey', () => {
  describe("keeps the seed's format", () => {
    it('joins the prefix and positional values with _', () => {
      expect(generateCacheKey('kit', [42])).toBe('kit_42');
      expect(generateCacheKey('club', [5])).toBe('club_5');
      expect(generateCacheKey('user_collection', [12345])).toBe('user_collection_12345');
    });

    it('appends keyword values sorted by name as name=value', () => {
      expect(generateCacheKey('prefix', [1, 'two'], { slug: 'club', page: 3 })).toBe(
        'prefix_1_two_page=3_slug=club',
      );
    });

    it('does not depend on the order keyword values are given in', () => {
      expect(generateCacheKey('kits', [], { page: 1, club: 5, season: 3 })).toBe(
        generateCacheKey('kits', [], { season: 3, club: 5, page: 1 }),
      );
    });

    it('is the prefix alone without values', () => {
      expect(generateCacheKey('search', [])).toBe('search');
    });

    it('keeps a key of exactly 200 characters and hashes one of 201 to prefix_ + md5 hex', () => {
      const at200 = generateCacheKey('search_kits', ['a'.repeat(200 - 'search_kits_'.length)]);
      expect(at200).toHaveLength(200);
      const joined = `search_kits_${'a'.repeat(201 - 'search_kits_'.length)}`;
      const hashed = generateCacheKey('search_kits', ['a'.repeat(201 - 'search_kits_'.length)]);
      expect(hashed).toBe(`search_kits_${createHash('md5').update(joined).digest('hex')}`);
      expect(hashed).toMatch(/^search_kits_[0-9a-f]{32}$/);
    });

    it('hashes a long key made of keyword values too', () => {
      expect(generateCacheKey('kits', [], { slugs: ['x'.repeat(300)] })).toMatch(/^kits_[0-9a-f]{32}$/);
    });

    it('prefixes Redis keys with fkapi:', () => {
      expect(NAMESPACE).toBe('fkapi:');
      expect(redisKey(generateCacheKey('club', [5]))).toBe('fkapi:club_5');
    });
  });

  describe('never gives two different inputs the same key', () => {
    const distinct = (...keys: string[]) => expect(new Set(keys).size).toBe(keys.length);

    it('tells values with _ apart from separate values', () => {
      distinct(generateCacheKey('p', ['a_b']), generateCacheKey('p', ['a', 'b']));
      expect(generateCacheKey('p', ['a_b'])).toBe('p_a%5Fb');
    });

    it('tells values with = apart from keyword values', () => {
      distinct(generateCacheKey('p', ['page=1']), generateCacheKey('p', [], { page: 1 }));
      distinct(generateCacheKey('p', [], { a: 'b_c=d' }), generateCacheKey('p', [], { a: 'b', c: 'd' }));
    });

    it('escapes the glob characters * ? [ ] that a pattern deletion would expand', () => {
      const key = generateCacheKey('search_clubs', ['ars*n?l[1]']);
      expect(key).toBe('search_clubs_ars%2An%3Fl%5B1%5D');
      expect(key).not.toMatch(/[*?[\]]/);
    });

    it('tells null and undefined apart from the strings "null", "None", "~" and ""', () => {
      distinct(
        generateCacheKey('p', [null]),
        generateCacheKey('p', ['null']),
        generateCacheKey('p', ['None']),
        generateCacheKey('p', ['~']),
        generateCacheKey('p', ['']),
      );
      expect(generateCacheKey('p', [undefined])).toBe(generateCacheKey('p', [null]));
      expect(generateCacheKey('kits', [], { season: null })).toBe('kits_season=~');
    });

    it('tells an escaped sequence apart from the character it stands for', () => {
      distinct(generateCacheKey('p', ['%5F']), generateCacheKey('p', ['_']));
    });

    it('keeps case: ids and keywords that differ in case are different keys unless the caller folds them', () => {
      distinct(
        generateCacheKey('kits_bulk', [['Arsenal-kits']]),
        generateCacheKey('kits_bulk', [['arsenal-kits']]),
      );
      expect(generateCacheKey('search_clubs', [caseFoldedKeyword('  ARSENAL ')])).toBe(
        generateCacheKey('search_clubs', [caseFoldedKeyword('arsenal')]),
      );
    });

    it('renders lists in brackets with their elements escaped; order is kept (callers sort)', () => {
      expect(generateCacheKey('kits', [], { secondary_color: ['Blue', 'White'] })).toBe(
        'kits_secondary_color=[Blue,White]',
      );
      distinct(
        generateCacheKey('p', [['a', 'b']]),
        generateCacheKey('p', [['b', 'a']]),
        generateCacheKey('p', [['a,b']]),
        generateCacheKey('p', ['[a,b]']),
        generateCacheKey('p', [[['a'], 'b']]),
      );
      distinct(generateCacheKey('p', [[]]), generateCacheKey('p', [['']]), generateCacheKey('p', [['', '']]));
    });

    it('escapes whitespace, control and non-ASCII characters as UTF-8 percent escapes', () => {
      expect(encodeKeyValue('a b\tc\n')).toBe('a%20b%09c%0A');
      expect(encodeKeyValue('Málaga')).toBe('M%C3%A1laga');
      expect(encodeKeyValue('\u0000')).toBe('%00');
      distinct(encodeKeyValue('\ud800'), encodeKeyValue('\ufffd'));
    });

    it('hashes a short key that looks hashed, so no one can plant a value under a hashed key', () => {
      const long = 'q'.repeat(250);
      const hashed = generateCacheKey('search_kits', [long]);
      const forged = generateCacheKey('search_kits', [hashed.slice('search_kits_'.length)]);
      expect(forged).toMatch(/^search_kits_[0-9a-f]{32}$/);
      expect(forged).not.toBe(hashed);
    });

    it('holds for thousands of random inputs over the characters that carry structure', () => {
      // A seeded generator: the same inputs every run.
      let seed = 0x2545f491;
      const random = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const alphabet = [
        'a',
        'B',
        '_',
        '=',
        '%',
        '*',
        '?',
        '[',
        ']',
        ',',
        '"',
        '~',
        ' ',
        '5',
        'é',
        '%5F',
        'null',
        'None',
      ];
      const value = (depth = 0): unknown => {
        const pick = random(10);
        if (pick === 0) return null;
        if (pick === 1) return random(100);
        if (pick === 2 && depth < 2) return Array.from({ length: random(3) }, () => value(depth + 1));
        return Array.from({ length: random(4) }, () => alphabet[random(alphabet.length)]).join('');
      };
      const seen = new Map<string, string>();
      for (let i = 0; i < 20_000; i++) {
        const args = Array.from({ length: 2 }, () => value());
        const kwargs = { k: value(), page: value() };
        const input = JSON.stringify([args, kwargs]);
        const key = generateCacheKey('p', args, kwargs);
        const previous = seen.get(key);
        // Numbers and their decimal strings are the same value of a typed parameter.
        const normalised = (s: string) => s.replace(/"(\d+)"/g, '$1');
        if (previous !== undefined) expect(normalised(previous)).toBe(normalised(input));
        seen.set(key, input);
      }
    });
  });

  describe('refuses what cannot make a sound key', () => {
    it.each([['Club'], ['club:5'], ['club*'], [''], ['_club']])('a malformed prefix %p', (prefix) => {
      expect(() => generateCacheKey(prefix, [])).toThrow(/prefix/);
    });

    it('an object value, which would render as [object Object]', () => {
      expect(() => generateCacheKey('p', [{ id: 1 }])).toThrow(TypeError);
    });

    it('a keyword name with characters that carry structure', () => {
      expect(() => generateCacheKey('p', [], { 'a=b': 1 })).toThrow(/argument name/);
    });
  });
});

describe('cacheTypeOf', () => {
  it.each([
    ['club', 'club'],
    ['club_kits', 'club'],
    ['season_club', 'season'],
    ['kit', 'kit'],
    ['kit_club', 'kit'],
    ['kits_bulk', 'kit'],
    ['search_clubs', 'search'],
    ['brand', 'brand'],
    ['competition', 'competition'],
    ['user_collection', 'user_collection'],
  ])('labels %s entries as %s', (prefix, type) => {
    expect(cacheTypeOf(prefix)).toBe(type);
  });
});
