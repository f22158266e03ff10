import { SingleFlight } from '../../src/cache/single-flight';

/** A computation that finishes when told to. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, work: async () => (await opened, value) };
}

describe('SingleFlight', () => {
  it('runs one computation for concurrent callers of a key with the same sequence and shares its result', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const work = async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 7;
    };
    expect(
      await Promise.all([flight.run('k', 3, work), flight.run('k', 3, work), flight.run('k', 3, work)]),
    ).toEqual([7, 7, 7]);
    expect(runs).toBe(1);
  });

  it('runs different keys independently', async () => {
    const flight = new SingleFlight<string>();
    expect(
      await Promise.all([
        flight.run('a', 1, () => Promise.resolve('A')),
        flight.run('b', 1, () => Promise.resolve('B')),
      ]),
    ).toEqual(['A', 'B']);
  });

  it('does not let a caller that saw a newer sequence join an older computation; later callers join the newer one', async () => {
    const flight = new SingleFlight<string>();
    const before = gate('read before the write');
    const after = gate('read after the write');
    const third = jest.fn(() => Promise.resolve('never run'));
    const old = flight.run('k', 4, before.work);
    const fresh = flight.run('k', 5, after.work);
    const joined = flight.run('k', 5, third);
    expect(third).not.toHaveBeenCalled();
    before.open();
    expect(await old).toBe('read before the write');
    // The older computation finishing does not drop the newer one from the map.
    expect(flight.size).toBe(1);
    after.open();
    expect(await Promise.all([fresh, joined])).toEqual(['read after the write', 'read after the write']);
    expect(flight.size).toBe(0);
  });

  it('never lets a caller without a sequence (Redis unavailable) join a running computation: such callers share the next one, begun after it ends', async () => {
    const flight = new SingleFlight<string>();
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const running = gate('read before');
    const trailing = gate('read after both callers asked');
    const next = jest.fn(trailing.work);
    const notRun = jest.fn(() => Promise.resolve('never run'));
    const old = flight.run('k', 2, running.work);
    const first = flight.run('k', null, next);
    const second = flight.run('k', null, notRun);
    await turn();
    expect(next).not.toHaveBeenCalled();
    running.open();
    expect(await old).toBe('read before');
    await turn();
    expect(next).toHaveBeenCalledTimes(1);
    // Once that one has begun, a caller without a sequence waits for the one after it, and a
    // caller with a sequence computes on its own.
    const late = gate('read after the late caller asked');
    const lateWork = jest.fn(late.work);
    const third = flight.run('k', null, lateWork);
    const withSequence = flight.run('k', 3, () => Promise.resolve('own computation'));
    expect(await withSequence).toBe('own computation');
    trailing.open();
    expect(await Promise.all([first, second])).toEqual([
      'read after both callers asked',
      'read after both callers asked',
    ]);
    expect(notRun).not.toHaveBeenCalled();
    late.open();
    expect(await third).toBe('read after the late caller asked');
    expect(lateWork).toHaveBeenCalledTimes(1);
    expect(flight.size).toBe(0);
  });

  it('computes at once for a caller without a sequence when nothing is running, and after a failure', async () => {
    const flight = new SingleFlight<number>();
    const failing = flight.run('k', null, () => Promise.reject(new Error('database down')));
    const after = flight.run('k', null, () => Promise.resolve(5));
    await expect(failing).rejects.toThrow('database down');
    expect(await after).toBe(5);
    let runs = 0;
    expect(await flight.run('k', null, () => Promise.resolve(++runs))).toBe(1);
    expect(flight.size).toBe(0);
  });

  it('shares an error with every caller and forgets the key afterwards', async () => {
    const flight = new SingleFlight<number>();
    const failing = () => Promise.reject(new Error('boom'));
    const outcomes = await Promise.allSettled([flight.run('k', 1, failing), flight.run('k', 1, failing)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(flight.size).toBe(0);
    expect(await flight.run('k', 1, () => Promise.resolve(1))).toBe(1);
  });

  it('starts a new computation once the previous one finished', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    await flight.run('k', 1, () => Promise.resolve(++runs));
    await flight.run('k', 1, () => Promise.resolve(++runs));
    expect(runs).toBe(2);
    expect(flight.size).toBe(0);
  });
});
