// Compiles src/ into dist/ only when something tsc reads changed since the last build, so that
// `npm start` and the CLI start in about a second when nothing did. "Changed" is judged by
// modification times: the newest file or directory under src/ (a deleted file changes its
// directory) and the tsconfig files, against dist/.tsbuildinfo, which every build rewrites.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist/.tsbuildinfo');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(entry) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, name)));
  return latest;
}

export function isBuildStale() {
  const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const mainBuilt = statSync(path.join(root, 'dist/main.js'), { throwIfNoEntry: false });
  if (!mainBuilt || built === 0) return true;
  return inputs.some((input) => newest(path.join(root, input)) > built);
}

/** Builds when stale; returns false when tsc failed (its errors are already printed). */
export function buildIfStale() {
  if (!isBuildStale()) return true;
  process.stderr.write('Compiling TypeScript (src/ changed since the last build)…\n');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) return false;
  // tsc leaves the build info alone when its own check finds nothing to emit: mark it current.
  const now = new Date();
  utimesSync(stamp, now, now);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(buildIfStale() ? 0 : 1);
}
