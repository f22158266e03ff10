import { CliCommand, UsageError } from '../command';

/** Every line `help` prints fits a standard terminal. */
export const HELP_WIDTH = 80;

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
    const text = [`Usage: fkapi ${command.usage}`, '', command.summary];
    if (command.details) text.push('', command.details);
    io.stdout.write(`${wrap(text.join('\n'))}\n`);
    return Promise.resolve();
  },
};

export function commandList(commands: readonly CliCommand[]): string {
  const lines = ['Usage: fkapi <command> [options]', '', 'Commands:'];
  for (const c of commands) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push(
    '',
    'Run as "npx fkapi", or "npm run cli --" in this directory. Settings come from the environment and ./.env, as for the API; without DATABASE_URL the database is the embedded PostgreSQL the API uses. "fkapi help <command>" explains one command.',
    '',
  );
  return wrap(lines.join('\n'));
}

export function names(commands: readonly CliCommand[]): string {
  return commands.map((c) => c.name).join(', ');
}

/**
 * Breaks each line at spaces so that none is longer than {@link HELP_WIDTH}; continuation lines
 * keep the line's indentation (plus two spaces when the line is an indented option or item).
 */
export function wrap(text: string, width = HELP_WIDTH): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const indent = /^\s*/.exec(line)?.[0] ?? '';
      // "--kits N   how many kits…": the option stays as written, the text continues under the
      // description; any other indented line continues two columns further in.
      const option = /^(\s*-\S*(?: \S+)?\s{2,})/.exec(line)?.[1];
      const lead = option ?? indent;
      const hanging = option ? option.length : indent.length + (indent ? 2 : 0);
      const out: string[] = [];
      let current = lead;
      for (const word of line.slice(lead.length).split(/ +/)) {
        const candidate = current.trim() === '' || current === lead ? current + word : `${current} ${word}`;
        if (candidate.length > width && current !== lead) {
          out.push(current);
          current = ' '.repeat(hanging) + word;
        } else {
          current = candidate;
        }
      }
      out.push(current);
      return out;
    })
    .join('\n');
}
