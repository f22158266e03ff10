import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** Where a command writes: results on stdout, logs and progress on stderr. */
export interface OutputStream {
  write(text: string): unknown;
  /** A terminal gets a redrawn progress bar; a pipe or file gets a line every 10%. */
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

export interface CliContext {
  io: CliIo;
  /** Every command, for `help`. */
  commands: readonly CliCommand[];
  /** The validated configuration, read on first use (so `help` works whatever the environment holds). */
  config(): AppConfig;
  /**
   * Runs `work` on the configured database: `DATABASE_URL`, or the embedded PostgreSQL the API
   * uses; migrated first; everything is closed (and an embedded server stopped) afterwards.
   */
  withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T>;
}

/** One `npm run cli -- <name> …` command, in a file of its own under `commands/`. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The synopsis, e.g. `seed --kits N [--seed S] [--reset]`. */
  usage: string;
  /** Explains the options, for `help <name>`. */
  details?: string;
  run(args: string[], context: CliContext): Promise<void>;
}

/** The command line is wrong: exit code 2, with the usage. */
export class UsageError extends Error {}

/** The command could not do its work for a reason the user can act on: exit code 1. */
export class CommandError extends Error {}

/**
 * Opening the database failed: the driver's message alone ("connect ECONNREFUSED 127.0.0.1:5432")
 * does not say which service it is about.
 */
export function cannotOpenDatabase(error: unknown): CommandError {
  // Not `instanceof Error`: under jest the error may come from another realm.
  const message = String((error as { message?: unknown } | null)?.message ?? error);
  return new CommandError(`cannot open the database: ${message}`);
}
