import { SingleFlight } from '../../src/cache/single-flight';

describe('SingleFlight', () => {
  it('runs one computation for concurrent callers of a key and shares its result', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 7;
    };
    expect(await Promise.all([flight.run('k', work), flight.run('k', work), flight.run('k', work)])).toEqual([
      7, 7, 7,
    ]);
    expect(runs).toBe(1);
  });

  it('runs different keys independently', async () => {
    const flight = new SingleFlight<string>();
    expect(
      await Promise.all([
        flight.run('a', () => Promise.resolve('A')),
        flight.run('b', () => Promise.resolve('B')),
      ]),
    ).toEqual(['A', 'B']);
  });

  it('shares an error with every caller and forgets the key afterwards', async () => {
    const flight = new SingleFlight<number>();
    const failing = () => Promise.reject(new Error('boom'));
    const outcomes = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(flight.size).toBe(0);
    expect(await flight.run('k', () => Promise.resolve(1))).toBe(1);
  });

  it('starts a new computation once the previous one finished', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    await flight.run('k', () => Promise.resolve(++runs));
    await flight.run('k', () => Promise.resolve(++runs));
    expect(runs).toBe(2);
    expect(flight.current('k')).toBeUndefined();
  });
});
