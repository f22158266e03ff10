import { runCli } from './run-cli';

// An explicit exit: the embedded PostgreSQL package hooks the process's exit to stop its server,
// and would otherwise end it with code 0 whatever the command returned.
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
