import { OutputStream } from './command';

const BAR_WIDTH = 30;
const REDRAW_EVERY_MS = 100;

/**
 * Progress of a long command on stderr: on a terminal, one bar redrawn in place; otherwise
 * (a pipe, a log file, CI) one line each time another tenth is done.
 */
export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private lastTenth = -1;

  constructor(
    private readonly stream: OutputStream,
    private readonly unit: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  update(done: number, total: number): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = `${((this.now() - this.started) / 1000).toFixed(1)} s`;
    const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${this.unit}`;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    if (this.stream.isTTY) {
      const time = this.now();
      if (done < total && time - this.lastDraw < REDRAW_EVERY_MS) return;
      this.lastDraw = time;
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      this.stream.write(`\r[${bar}] ${percent}  ${count}  ${elapsed}\x1b[K`);
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth === this.lastTenth) return;
      this.lastTenth = tenth;
      this.stream.write(`${percent.trim()} (${count}, ${elapsed})\n`);
    }
  }

  /** Ends the bar's line on a terminal. */
  finish(): void {
    if (this.stream.isTTY && this.lastDraw > 0) this.stream.write('\n');
  }
}
