import { Logger, LogLevel } from '@nestjs/common';
import { OutputStream } from './command';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * The logger handed to the database code when it runs under the CLI: plain lines on stderr
 * (stdout carries the command's result), at the configured level.
 */
export class CliLogger extends Logger {
  constructor(
    private readonly stream: OutputStream,
    private readonly level: LogLevel,
  ) {
    super('cli');
  }

  override fatal(message: unknown): void {
    this.print('fatal', message);
  }
  override error(message: unknown): void {
    this.print('error', message);
  }
  override warn(message: unknown): void {
    this.print('warn', message);
  }
  override log(message: unknown): void {
    this.print('log', message);
  }
  override debug(message: unknown): void {
    this.print('debug', message);
  }
  override verbose(message: unknown): void {
    this.print('verbose', message);
  }

  private print(level: LogLevel, message: unknown): void {
    if (LEVELS.indexOf(level) > LEVELS.indexOf(this.level)) return;
    const prefix = level === 'log' ? '' : `${level}: `;
    this.stream.write(`${prefix}${message instanceof Error ? message.message : String(message)}\n`);
  }
}
