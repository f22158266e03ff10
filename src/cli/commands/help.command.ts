import { CliCommand, UsageError } from '../command';

/** `help [command]`: the command list, or one command's usage and options. */
export const helpCommand: CliCommand = {
  name: 'help',
  summary: 'Show the commands, or how to use one',
  usage: 'help [command]',

  run(args, { io, commands }) {
    const [name] = args;
    if (name === undefined) {
      io.stdout.write(commandList(commands));
      return Promise.resolve();
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}" (commands: ${names(commands)})`);
    io.stdout.write(`Usage: npm run cli -- ${command.usage}\n\n${command.summary}\n`);
    if (command.details) io.stdout.write(`\n${command.details}\n`);
    return Promise.resolve();
  },
};

export function commandList(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'The database is DATABASE_URL, or without it the embedded PostgreSQL the API uses.',
    '',
  ].join('\n');
}

export function names(commands: readonly CliCommand[]): string {
  return commands.map((c) => c.name).join(', ');
}
