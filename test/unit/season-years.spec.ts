import { deriveSeasonYears, SEASON_YEAR_PATTERN } from '../../src/seasons/season-years';

describe('deriveSeasonYears', () => {
  it.each([
    ['2024', '2024', null],
    ['2024-25', '2024', '2025'],
    ['2023-2024', '2023', '2024'],
    ['1999-00', '1999', '2000'],
    ['1899-1900', '1899', '1900'],
    ['1909-10', '1909', '1910'],
  ])('splits %s into %s and %s', (year, firstYear, secondYear) => {
    expect(deriveSeasonYears(year)).toEqual({ firstYear, secondYear });
  });
});

describe('SEASON_YEAR_PATTERN', () => {
  it.each(['2024', '2024-25', '2023-2024'])('accepts %s', (year) => {
    expect(SEASON_YEAR_PATTERN.test(year)).toBe(true);
  });

  it.each(['24', '2024-', '2024-5', '2024-255', '2024/25', ' 2024', '2024-25-26', 'abcd', '２０２４'])(
    'refuses %s',
    (year) => {
      expect(SEASON_YEAR_PATTERN.test(year)).toBe(false);
    },
  );
});
