import { DataSource } from 'typeorm';
import { AppConfig, loadConfigFromProcess } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { prepareDatabase } from '../database/prepare-database';
import { cannotOpenDatabase, CliContext, CliIo, UsageError } from './command';
import { CliLogger } from './cli-logger';
import { COMMANDS } from './commands';
import { commandList, names } from './commands/help.command';

export interface CliOptions {
  io?: CliIo;
  /** Reads the configuration; tests pass their own environment. */
  readConfig?: () => AppConfig;
}

/**
 * Runs one CLI command and returns the process exit code: 0 done, 1 failed, 2 bad command line.
 * A failure is reported as one line on stderr.
 */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const io = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  const readConfig = options.readConfig ?? loadConfigFromProcess;
  const [name, ...args] = argv;

  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(commandList(COMMANDS));
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`error: unknown command "${name}" (commands: ${names(COMMANDS)})\n`);
    return 2;
  }

  let config: AppConfig | undefined;
  const context: CliContext = {
    io,
    commands: COMMANDS,
    config: () => (config ??= readConfig()),
    withDatabase: (work) => withDatabase(context.config(), io, work),
  };

  try {
    await command.run(args, context);
    return 0;
  } catch (error) {
    const message = oneLine(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${message} (usage: ${command.usage})\n`);
      return 2;
    }
    io.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

/**
 * Runs `work` on the configured database (the embedded one started for it when there is no
 * `DATABASE_URL`), and stops what it started, Ctrl-C included.
 */
async function withDatabase<T>(
  config: AppConfig,
  io: CliContext['io'],
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const logger = new CliLogger(io.stderr, config.logLevel);
  // The demo catalogue is for the API's first start; a CLI command works on what is there.
  const database = await prepareDatabase({ ...config, demoData: false }, logger).catch((error) => {
    throw cannotOpenDatabase(error);
  });
  // Interrupted (Ctrl-C): an embedded server runs in a process group of its own and would
  // outlive the command; stop it (the transaction in progress rolls back), then exit.
  const interrupted = (signal: NodeJS.Signals): void => {
    io.stderr.write(`${signal}: stopping\n`);
    void database.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const dataSource = new DataSource(dataSourceOptions(database.url, 2));
    await dataSource.initialize().catch((error) => {
      throw cannotOpenDatabase(error);
    });
    try {
      return await work(dataSource);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await database.stop();
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
