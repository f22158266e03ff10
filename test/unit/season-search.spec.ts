import {
  rankSeasonCandidates,
  seasonCandidateConditions,
  seasonSearchPriority,
  SeasonYearsRow,
} from '../../src/seasons/season-search';
import { deriveSeasonYears } from '../../src/seasons/season-years';

const season = (year: string, secondYear?: string | null): SeasonYearsRow => {
  const derived = deriveSeasonYears(year);
  return { year, firstYear: derived.firstYear, secondYear: secondYear ?? derived.secondYear };
};

describe('seasonCandidateConditions', () => {
  it('looks for seasons starting in the year for "YYYY-"', () => {
    expect(seasonCandidateConditions('2024-')).toEqual([
      { field: 'first_year', match: 'equals', value: '2024' },
      { field: 'year', match: 'startsWith', value: '2024-' },
    ]);
  });

  it('falls back to prefixes for another keyword ending in "-"', () => {
    expect(seasonCandidateConditions('202-')).toEqual([
      { field: 'year', match: 'startsWith', value: '202-' },
      { field: 'first_year', match: 'startsWith', value: '202' },
    ]);
  });

  it('matches a full two-part season exactly', () => {
    expect(seasonCandidateConditions('2024-25')).toEqual([
      { field: 'year', match: 'equals', value: '2024-25' },
    ]);
  });

  it('matches the year exactly or as a prefix when one side of the "-" is not digits', () => {
    expect(seasonCandidateConditions('2024-a')).toEqual([
      { field: 'year', match: 'equals', value: '2024-a' },
      { field: 'year', match: 'startsWith', value: '2024-a' },
    ]);
  });

  it('matches only the exact year when the keyword has several "-"', () => {
    expect(seasonCandidateConditions('2024-25-26')).toEqual([
      { field: 'year', match: 'equals', value: '2024-25-26' },
    ]);
  });

  it('looks in all three fields for a four-digit year', () => {
    expect(seasonCandidateConditions('2025')).toEqual([
      { field: 'year', match: 'equals', value: '2025' },
      { field: 'first_year', match: 'equals', value: '2025' },
      { field: 'second_year', match: 'equals', value: '2025' },
      { field: 'first_year', match: 'contains', value: '2025' },
      { field: 'second_year', match: 'contains', value: '2025' },
    ]);
  });

  it('looks at year endings and contents for two digits', () => {
    expect(seasonCandidateConditions('97')).toEqual([
      { field: 'year', match: 'equals', value: '97' },
      { field: 'first_year', match: 'endsWith', value: '97' },
      { field: 'second_year', match: 'endsWith', value: '97' },
      { field: 'year', match: 'contains', value: '97' },
      { field: 'first_year', match: 'contains', value: '97' },
      { field: 'second_year', match: 'contains', value: '97' },
    ]);
  });

  it.each(['9', '199', '20245', 'abc', '2O24'])(
    'falls back to a case-insensitive substring in any field for %s',
    (keyword) => {
      expect(seasonCandidateConditions(keyword)).toEqual([
        { field: 'year', match: 'containsIgnoringCase', value: keyword },
        { field: 'first_year', match: 'containsIgnoringCase', value: keyword },
        { field: 'second_year', match: 'containsIgnoringCase', value: keyword },
      ]);
    },
  );
});

describe('seasonSearchPriority', () => {
  it.each([
    ['2025', season('2025'), 1],
    ['2025', season('2025-26'), 2],
    ['2025', season('2024-25'), 3],
    ['2025', season('2020-2025'), 3],
    ['97', season('1997-98'), 2],
    ['97', season('1997'), 2],
    ['97', season('1996-97'), 3],
    ['97', season('1970-71'), 4],
    ['2024-', season('2024-25'), 5],
    ['2024-', season('2024'), 5],
    ['2024-25', season('2024-25'), 1],
    ['02', season('2001-02'), 3],
    ['202', season('2019-20'), 4],
  ])('gives keyword %s and season %o priority %i', (keyword, row, priority) => {
    expect(seasonSearchPriority(keyword, row)).toBe(priority);
  });
});

describe('rankSeasonCandidates', () => {
  it('puts the exact year first, then seasons starting in it, then those ending in it (reference example)', () => {
    const candidates = [season('2025-27', '2027'), season('2025-26'), season('2025'), season('2024-25')];
    expect(rankSeasonCandidates('2025', candidates).map((s) => s.year)).toEqual([
      '2025',
      '2025-26',
      '2025-27',
      '2024-25',
    ]);
  });

  it('orders equal priorities by year ascending in code-point order', () => {
    const candidates = [season('2024-2025'), season('2024-25'), season('2024')];
    expect(rankSeasonCandidates('2024-', candidates).map((s) => s.year)).toEqual([
      '2024',
      '2024-2025',
      '2024-25',
    ]);
  });

  it('keeps at most the limit', () => {
    const candidates = Array.from({ length: 20 }, (_, i) => season(String(1990 + i)));
    const ranked = rankSeasonCandidates('19', candidates, 10);
    expect(ranked).toHaveLength(10);
    expect(ranked[0].year).toBe('1990');
  });

  it('does not change the candidates it is given', () => {
    const candidates = [season('2024-25'), season('2025')];
    rankSeasonCandidates('2025', candidates);
    expect(candidates.map((s) => s.year)).toEqual(['2024-25', '2025']);
  });
});
