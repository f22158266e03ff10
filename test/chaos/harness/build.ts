import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
/**
 * The chaos tests run the compiled API as real processes. They compile into a directory of their
 * own, not `dist/`, so that they never race with `npm run build` or other agents' builds; inside
 * `node_modules` so that the compiled files resolve the same packages.
 */
const CACHE_DIR = path.join(ROOT, 'node_modules/.cache/fkapi-chaos');
export const CHAOS_DIST = path.join(CACHE_DIR, 'build');
const LOCK = path.join(CACHE_DIR, 'build.lock');

/** Compiles `src/` (incrementally) into {@link CHAOS_DIST}; one build at a time across jest workers. */
export async function buildApi(): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than 5 minutes was left by a killed run.
      if (attempt > 3000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const buildInfo = path.join(CACHE_DIR, 'build.tsbuildinfo');
  // Incremental builds trust the build info, not the output: without output, start afresh.
  if (!existsSync(path.join(CHAOS_DIST, 'main.js'))) rmSync(buildInfo, { force: true });
  try {
    const result = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        CHAOS_DIST,
        '--tsBuildInfoFile',
        buildInfo,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  if (!existsSync(path.join(CHAOS_DIST, 'main.js'))) throw new Error(`${CHAOS_DIST}/main.js was not built`);
  // Started through an entry of its own name, so that nothing matching `dist/main.js` or
  // `main.js` on a command line (a developer's or another tool's clean-up) takes these processes.
  const entry = path.join(CHAOS_DIST, 'fkapi-chaos-api.js');
  writeFileSync(entry, "require('./main.js');\n");
  return entry;
}
