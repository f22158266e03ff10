import { categoriseKitType } from '../../src/kit-types/kit-type-categories';

describe('categoriseKitType', () => {
  // Every name the original's data model, tests and scraper tests give as an example.
  it.each([
    ['Home', 'match', 1, false, 1],
    ['Away', 'match', 1, false, 2],
    ['Third', 'match', 1, false, 3],
    ['Fourth', 'match', 1, false, 4],
    ['GK Home', 'match', 1, true, 1],
    ['GK Away', 'match', 1, true, 2],
    ['Training', 'training', 4, false, 999],
    ['Training Home', 'training', 4, false, 1],
    ['Training Jacket', 'jacket', 6, false, 3],
    ['Rain Jacket', 'jacket', 6, false, 2],
    ['Pre-Match', 'prematch', 2, false, 999],
    ['Travel', 'travel', 5, false, 999],
  ] as const)('%s → %s/%i, goalkeeper %s, priority %i', (name, category, order, goalkeeper, priority) => {
    expect(categoriseKitType(name)).toEqual({
      category,
      categoryOrder: order,
      isGoalkeeper: goalkeeper,
      orderPriority: priority,
    });
  });

  it.each([
    ['Pre-match', 'prematch'],
    ['Prematch', 'prematch'],
    ['Bench', 'prematch'],
    ['Warm-up', 'prematch'],
    ['Warmup Top', 'prematch'],
    ['Staff', 'prematch'],
    ['Pre-season', 'preseason'],
    ['Preseason', 'preseason'],
    ['Temporary Away', 'preseason'],
    ['Temp Home', 'preseason'],
    ['Polo', 'travel'],
    ['Anthem', 'jacket'],
    ['Windbreaker', 'jacket'],
    ['Track Top', 'jacket'],
    ['Vest', 'jacket'],
    ['Special', 'match'],
  ] as const)('puts %s in %s', (name, category) => {
    expect(categoriseKitType(name).category).toBe(category);
  });

  it('matches jacket keywords as whole words only', () => {
    expect(categoriseKitType('Training').category).toBe('training'); // "rain" inside a word
    expect(categoriseKitType('Tracksuit').category).toBe('match');
    expect(categoriseKitType('Harvest Away').category).toBe('match');
    expect(categoriseKitType('Training Vest').category).toBe('jacket');
  });

  it('ranks the jacket kinds anthem, rain, jacket, windbreaker, track, vest', () => {
    expect(
      ['Anthem', 'Rain', 'Jacket', 'Windbreaker', 'Track', 'Vest', 'Rain Anthem Jacket'].map(
        (name) => categoriseKitType(name).orderPriority,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6, 1]);
  });

  it('numbers variants: 10 + n for kits, 10/20/30 + n for rain, jacket and track jackets', () => {
    expect(categoriseKitType('V2').orderPriority).toBe(12);
    expect(categoriseKitType('2').orderPriority).toBe(12);
    expect(categoriseKitType('Special v3').orderPriority).toBe(13);
    expect(categoriseKitType('Home 2').orderPriority).toBe(1); // home wins over the number
    expect(categoriseKitType('Rain Jacket 2').orderPriority).toBe(12);
    expect(categoriseKitType('Jacket 2').orderPriority).toBe(22);
    expect(categoriseKitType('Track Jacket 3').orderPriority).toBe(23);
    expect(categoriseKitType('Track 3').orderPriority).toBe(33);
  });

  it('keeps the priority within the integer column whatever number the name carries', () => {
    expect(categoriseKitType('Kit 99999999999999999999').orderPriority).toBe(999);
    expect(categoriseKitType('Kit 999').orderPriority).toBe(1009);
  });

  it('flags goalkeeper types by any of its spellings, ignoring case and blanks', () => {
    for (const name of ['  gk third ', 'Goalkeeper', 'Portero Local', 'Guardameta']) {
      expect(categoriseKitType(name).isGoalkeeper).toBe(true);
    }
    expect(categoriseKitType('Home').isGoalkeeper).toBe(false);
  });
});
