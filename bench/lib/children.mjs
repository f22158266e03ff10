// The servers under test, as child processes on loopback: started, awaited, sampled, stopped.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const OUTPUT_LINES_KEPT = 40;
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;

const running = new Set();

/** A loopback port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node [nodeArgs] <script>`; its output is kept (last lines) to explain a failure, not
 * echoed.
 */
export function startChild({ name, script, args = [], nodeArgs = [], env, cwd, port }) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > OUTPUT_LINES_KEPT) output.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const handle = {
    name,
    port,
    child,
    pid: child.pid,
    baseUrl: `http://127.0.0.1:${port}`,
    exited: false,
    exitCode: null,
    output,
  };
  handle.exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      handle.exited = true;
      handle.exitCode = code ?? signal;
      running.delete(handle);
      resolve();
    });
  });
  running.add(handle);
  return handle;
}

export function describeOutput(handle) {
  return handle.output.length > 0
    ? `\n  last output of ${handle.name}:\n    ${handle.output.join('\n    ')}`
    : '';
}

/** Resolves once `path` answers 200; fails if the process exits or takes longer than 90 s. */
export async function waitUntilReady(handle, path) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (handle.exited)
      throw new Error(
        `${handle.name} exited (${handle.exitCode}) before it was ready${describeOutput(handle)}`,
      );
    try {
      const response = await fetch(`${handle.baseUrl}${path}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(
    `${handle.name} was not ready on ${path} after ${READY_TIMEOUT_MS / 1000} s${describeOutput(handle)}`,
  );
}

/** SIGTERM every child still running, then SIGKILL those that have not exited after 5 s. */
export async function stopAll() {
  const children = [...running];
  for (const handle of children) handle.child.kill('SIGTERM');
  await Promise.race([Promise.all(children.map((h) => h.exit)), sleep(STOP_GRACE_MS)]);
  for (const handle of running) handle.child.kill('SIGKILL');
}

/** Last resort on `process.exit`: only synchronous work is possible there. */
export function killAllNow() {
  for (const handle of running) handle.child.kill('SIGKILL');
}

/** Resident set size in MiB from /proc (Linux), or null. */
export function readRssMb(pid) {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples one process's RSS every 500 ms; `mark(label)` attributes the next samples to a phase. */
export function sampleRss(pid, intervalMs = 500) {
  let label = 'start-up';
  let overallMax = null;
  const byPhase = {};
  const take = () => {
    const rss = readRssMb(pid);
    if (rss === null) return;
    overallMax = Math.max(overallMax ?? 0, rss);
    byPhase[label] = Math.max(byPhase[label] ?? 0, rss);
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    mark(next) {
      take();
      label = next;
    },
    stop() {
      take();
      clearInterval(timer);
      return { maxMb: overallMax, byPhaseMb: byPhase, intervalMs };
    },
  };
}
