import { LoggerService } from '@nestjs/common';
import { Level } from 'pino';
import { RootLogger } from './logger';

/**
 * Nest's `LoggerService` on pino, so Nest's own lines (start-up, `new Logger(...)` in services)
 * come out in the same JSON format as the request lines, with `context` as a field. Why not
 * `nestjs-pino`: its 4.x releases declare NestJS ≤ 11 and its 5.x releases (the ones for
 * NestJS 12) require Node ≥ 22.12; this project runs on Node 20.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: RootLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  /** Nest calls `error(message, stack?, context?)`. */
  error(message: unknown, ...params: unknown[]): void {
    const context =
      params.length > 0 && typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    const stack = typeof params[0] === 'string' ? params[0] : undefined;
    if (!this.root.isLevelEnabled('error')) return;
    if (message instanceof Error) {
      this.root.error({ context, err: message }, message.message);
    } else {
      this.root.error({ context, ...(stack ? { stack } : {}) }, stringify(message));
    }
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    if (message instanceof Error) this.root[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.root[level]({ context, ...message });
    else this.root[level]({ context }, stringify(message));
  }
}

function stringify(message: unknown): string {
  return typeof message === 'string' ? message : String(message);
}
