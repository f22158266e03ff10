import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../../src/common/process-alive';

export const ROOT = path.resolve(__dirname, '../../..');
/**
 * The chaos tests run the compiled API as real processes. They compile into a directory of their
 * own, not `dist/`, so that they never race with `npm run build`; inside `node_modules` so that
 * the compiled files resolve the same packages.
 */
const CACHE_DIR = path.join(ROOT, 'node_modules/.cache/fkapi-chaos');
const STAGING = path.join(CACHE_DIR, 'build');
const LOCK = path.join(CACHE_DIR, 'build.lock');

let built: Promise<string> | undefined;

/** Whether the process that holds the build lock still runs (true while it is unknown). */
function ownerAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(LOCK, 'owner'), 'utf8'));
  } catch {
    return true; // not written yet (the owner is between mkdir and write), or already removed
  }
  return isAlive(pid);
}

/**
 * Compiles `src/` and returns the entry to run, once per test process. The compilation is
 * incremental, into a staging directory shared by every run under a lock; each process then
 * runs its own copy of it, so another run's build can never rewrite files under its processes.
 */
export function buildApi(): Promise<string> {
  built ??= compileAndSnapshot();
  return built;
}

async function compileAndSnapshot(): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'owner'), String(process.pid));
      break;
    } catch {
      // A lock whose owner is gone (a killed run), or older than 5 minutes, is taken over.
      if (attempt > 3000 || !ownerAlive()) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const snapshot = path.join(CACHE_DIR, `run-${process.pid}`);
  try {
    removeCopiesOfDeadRuns();
    const buildInfo = path.join(CACHE_DIR, 'build.tsbuildinfo');
    // Incremental builds trust the build info, not the output: without output, start afresh.
    if (!existsSync(path.join(STAGING, 'main.js'))) rmSync(buildInfo, { force: true });
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = spawnSync(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', STAGING, '--tsBuildInfoFile', buildInfo],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
    rmSync(snapshot, { recursive: true, force: true });
    cpSync(STAGING, snapshot, { recursive: true });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
  process.once('exit', () => rmSync(snapshot, { recursive: true, force: true }));
  if (!existsSync(path.join(snapshot, 'main.js'))) throw new Error(`${snapshot}/main.js was not built`);
  // Started through an entry of its own name, so that nothing matching `dist/main.js` or
  // `main.js` on a command line (a developer's or another tool's clean-up) takes these processes.
  const entry = path.join(snapshot, 'fkapi-chaos-api.js');
  writeFileSync(entry, "require('./main.js');\n");
  return entry;
}

/** Copies left by runs that were killed before their exit handler ran. */
function removeCopiesOfDeadRuns(): void {
  for (const name of readdirSync(CACHE_DIR)) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(path.join(CACHE_DIR, name), { recursive: true, force: true });
    }
  }
}
