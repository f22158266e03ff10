#!/usr/bin/env node
// `npm run chaos:<scenario> -- [--seconds N]`: one chaos scenario of test/chaos/ as a long run,
// through jest (which builds the template database), with its figures printed.
import { spawnSync } from 'node:child_process';

const [scenario, ...args] = process.argv.slice(2);
const scenarios = ['consistency', 'faults', 'fuzz', 'redis-cluster', 'redis-sentinel', 'replica-consistency'];
if (!scenarios.includes(scenario)) {
  process.stderr.write(`usage: node scripts/chaos.mjs <${scenarios.join('|')}> [--seconds N] [--runs N]\n`);
  process.exit(2);
}
const env = { ...process.env };
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (!/^\d+$/.test(value ?? '')) {
    process.stderr.write(`${flag} needs a positive integer\n`);
    process.exit(2);
  }
  if (flag === '--seconds') env.CHAOS_SECONDS = value;
  else if (flag === '--runs') env.CHAOS_FUZZ_RUNS = value;
  else {
    process.stderr.write(`unknown option ${flag}\n`);
    process.exit(2);
  }
}
const result = spawnSync(
  'npx',
  ['jest', `test/chaos/${scenario}`, '--runInBand', '--testTimeout', '600000', '--verbose'],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
