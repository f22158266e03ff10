import { InvalidRequestError } from '../../src/common/errors/domain-errors';
import { assertBulkSize, parseSlugList } from '../../src/kits/bulk-slugs';
import { AVAILABLE_COLORS, AVAILABLE_DESIGNS, resolveKitFilters } from '../../src/kits/kit-filters';
import {
  extractYear,
  isSecondaryTeam,
  planKitSearch,
  seasonYearsFor,
  secondaryTeamsLast,
  significantTerms,
} from '../../src/kits/kit-search';

describe('kit search helpers', () => {
  describe('extractYear', () => {
    it.each([
      ['Málaga 2003', '2003', 'Málaga'],
      ['2003 Málaga', '2003', 'Málaga'],
      ['Arsenal 1998 home', '1998', 'Arsenal  home'],
      ['2003 Málaga 2003', '2003', 'Málaga'],
      ['2003', '2003', ''],
      ['2003-04', '2003', '-04'],
    ])('finds the year in %j', (keyword, year, rest) => {
      expect(extractYear(keyword)).toEqual({ year, rest });
    });

    it.each(['Arsenal', 'Arsenal 1899', 'Arsenal 2100', 'Arsenal 20031', 'Arsenal x2003', 'Arsenal é2003'])(
      'finds no year in %j',
      (keyword) => {
        expect(extractYear(keyword)).toEqual({ year: null, rest: keyword });
      },
    );

    it('takes the first year and removes every occurrence of its text', () => {
      expect(extractYear('1999 vs 2000 1999')).toEqual({ year: '1999', rest: 'vs 2000' });
    });
  });

  describe('seasonYearsFor', () => {
    it.each([
      ['2003', ['2003', '2002-03', '2003-04']],
      ['2000', ['2000', '1999-00', '2000-01']],
      ['1999', ['1999', '1998-99', '1999-00']],
    ])('maps %s to the seasons it can mean', (year, seasons) => {
      expect(seasonYearsFor(year)).toEqual(seasons);
    });
  });

  describe('significantTerms', () => {
    it('keeps words longer than 2 characters, counting code points', () => {
      expect(significantTerms('FC Bayern de  München ñé')).toEqual(['Bayern', 'München']);
      expect(significantTerms('ab cd')).toEqual([]);
    });
  });

  describe('planKitSearch', () => {
    it('tries the whole text, every word, then any word', () => {
      expect(planKitSearch('Real Madrid Castilla')).toEqual({
        seasonYears: null,
        tiers: [
          { mode: 'all', terms: ['Real Madrid Castilla'] },
          { mode: 'all', terms: ['Real', 'Madrid', 'Castilla'] },
          { mode: 'any', terms: ['Real', 'Madrid', 'Castilla'] },
        ],
      });
    });

    it('drops tiers that would repeat an earlier query', () => {
      expect(planKitSearch('Arsenal').tiers).toEqual([{ mode: 'all', terms: ['Arsenal'] }]);
      expect(planKitSearch('FC Arsenal').tiers).toEqual([
        { mode: 'all', terms: ['FC Arsenal'] },
        { mode: 'all', terms: ['Arsenal'] },
      ]);
    });

    it('keeps the reference fallback: no word over 2 characters means every kit', () => {
      expect(planKitSearch('FC').tiers).toEqual([
        { mode: 'all', terms: ['FC'] },
        { mode: 'all', terms: [] },
      ]);
    });

    it('restricts to seasons when there is a year, and matches every kit of them for a bare year', () => {
      expect(planKitSearch('2003')).toEqual({
        seasonYears: ['2003', '2002-03', '2003-04'],
        tiers: [{ mode: 'all', terms: [] }],
      });
      expect(planKitSearch('Málaga 2003')).toEqual({
        seasonYears: ['2003', '2002-03', '2003-04'],
        tiers: [{ mode: 'all', terms: ['Málaga'] }],
      });
    });
  });

  describe('isSecondaryTeam', () => {
    it.each([
      'Barcelona B',
      'Bayern München II',
      'Real Madrid C',
      'Jong Ajax',
      'Ajax U19',
      'England U21',
      'Arsenal Women',
      'Chelsea Ladies',
      'Barcelona Femenino',
      'Real Madrid Féminas',
      'Olympique Lyonnais Féminine',
      'Wolfsburg Frauen',
      'Benfica Youth',
      'olympique lyonnais féminine',
    ])('%j is a secondary team', (name) => {
      expect(isSecondaryTeam(name)).toBe(true);
    });

    it.each([
      'Arsenal',
      'Club Brugge',
      'Bayern München',
      'U.D. Almería',
      'Ajax U16',
      'Bobigny',
      'Cádiz CF',
      'Herthabé',
    ])('%j is a first team', (name) => {
      expect(isSecondaryTeam(name)).toBe(false);
    });
  });

  describe('secondaryTeamsLast', () => {
    it('moves secondary teams last, keeping both groups in order', () => {
      const items = ['Quokka B', 'Quokka', 'Quokka U21', 'Wombat'];
      expect(secondaryTeamsLast(items, (name) => name)).toEqual([
        'Quokka',
        'Wombat',
        'Quokka B',
        'Quokka U21',
      ]);
    });
  });
});

describe('bulk slug list', () => {
  it('trims items, drops empties and takes the last path segment of URLs', () => {
    expect(
      parseSlugList(
        ' a-kit ,,https://www.footballkitarchive.com/b-kit/, http://x.example/c-kit,https://x.example/d-kit/123//,e-kit/',
      ),
    ).toEqual(['a-kit', 'b-kit', 'c-kit', '123', 'e-kit/']);
  });

  it('accepts 2 to 30 items, counting repeats', () => {
    expect(() => assertBulkSize(['a', 'a'])).not.toThrow();
    expect(() => assertBulkSize(Array(30).fill('a'))).not.toThrow();
    expect(() => assertBulkSize(['a'])).toThrow(new InvalidRequestError('Minimum 2 kits required'));
    expect(() => assertBulkSize(Array(31).fill('a'))).toThrow(
      new InvalidRequestError('Maximum 30 kits allowed'),
    );
  });
});

describe('kit list filters', () => {
  it('has the reference value lists', () => {
    expect(AVAILABLE_COLORS).toHaveLength(17);
    expect(AVAILABLE_DESIGNS).toHaveLength(16);
  });

  it('turns years into strings and collapses repeated secondary colours', () => {
    expect(
      resolveKitFilters({ year: 2024, first_year: 2024, secondary_color: ['White', 'Blue', 'White'] }),
    ).toMatchObject({ year: '2024', firstYear: '2024', secondaryColors: ['White', 'Blue'] });
  });

  it.each([
    [{ primary_color: 'red' }, "Invalid primary_color 'red'."],
    [{ secondary_color: ['Teal', 'White', 'Lime', 'Teal'] }, 'Invalid secondary_color(s): Teal, Lime.'],
    [{ design: 'stripes' }, "Invalid design 'stripes'."],
  ])('refuses %j', (input, start) => {
    expect(() => resolveKitFilters(input)).toThrow(InvalidRequestError);
    expect(() => resolveKitFilters(input)).toThrow(start);
  });
});
