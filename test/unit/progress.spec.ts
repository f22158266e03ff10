import { Progress } from '../../src/cli/progress';

class Stream {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('Progress', () => {
  it('prints one line per tenth done when stderr is not a terminal', () => {
    const stream = new Stream(false);
    let now = 0;
    const progress = new Progress(stream, 'kits', () => now);
    for (let done = 0; done <= 1000; done += 50) {
      now = done * 10;
      progress.update(done, 1000);
    }
    progress.finish();
    const lines = stream.text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('0% (0/1,000 kits, 0.0 s)');
    expect(lines[5]).toBe('50% (500/1,000 kits, 5.0 s)');
    expect(lines[10]).toBe('100% (1,000/1,000 kits, 10.0 s)');
  });

  it('redraws one bar in place on a terminal, at most every 100 ms, and always at the end', () => {
    const stream = new Stream(true);
    let now = 1000;
    const progress = new Progress(stream, 'kits', () => now);
    progress.update(250, 1000);
    now += 10;
    progress.update(300, 1000); // too soon: skipped
    now += 200;
    progress.update(500, 1000);
    now += 1;
    progress.update(1000, 1000); // the last one is always drawn
    progress.finish();
    const frames = stream.text.split('\r').filter(Boolean);
    expect(frames).toEqual([
      `[${'#'.repeat(8)}${'-'.repeat(22)}]  25%  250/1,000 kits  0.0 s\x1b[K`,
      `[${'#'.repeat(15)}${'-'.repeat(15)}]  50%  500/1,000 kits  0.2 s\x1b[K`,
      `[${'#'.repeat(30)}] 100%  1,000/1,000 kits  0.2 s\x1b[K\n`,
    ]);
  });
});
