import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_KEY } from '../../utils/test-app';
import { freePort, sleep } from './ports';

/** `node dist/main.js` as a child process, on a port of its own. */
export interface ApiProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The same, in a file that outlives the test (for a failed run). */
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ApiProcessOptions {
  main: string;
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
  /** Node options before the main module (a `--require` preload that plays a fault). */
  nodeArgs?: string[];
}

/**
 * Starts the compiled API and resolves once it answers readiness. The working directory is an
 * empty temporary one, so a developer's `./.env` never leaks into the test's configuration.
 */
export async function startApiProcess(options: ApiProcessOptions): Promise<ApiProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(path.join(tmpdir(), 'fkapi-chaos-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'log',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: options.redisUrl,
    ADMIN_API_KEY: ADMIN_KEY,
    RATE_LIMIT_PER_HOUR: '0',
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.main], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const logFile = path.join(cwd, 'api.log');
  const capture = (chunk: Buffer): void => {
    output += chunk.toString();
    appendFileSync(logFile, chunk);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      appendFileSync(logFile, `\n[exited: code ${code}, signal ${signal}]\n`);
      resolve({ code, signal });
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (hasExited) throw new Error(`the API exited during start:\n${output}`);
    if (attempt > 600) {
      child.kill('SIGKILL');
      throw new Error(`the API did not become ready in 60 s:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/api/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return {
    url,
    port,
    child,
    output: () => output,
    logFile,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!hasExited) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Requests `path` until a request of it is a cache hit (the cache serves again, after an outage),
 * within `timeoutMs`; throws otherwise.
 */
export async function untilCacheHit(api: ApiProcess, path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = await cacheHits(api);
    await fetch(`${api.url}${path}`).then((res) => res.text());
    if ((await cacheHits(api)) > before) return;
    if (Date.now() > deadline) throw new Error(`no cache hit for ${path} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `fkapi_cache_hits_total` of one API process, every cache type summed. */
export async function cacheHits(api: ApiProcess): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  let total = 0;
  for (const [, value] of text.matchAll(/^fkapi_cache_hits_total(?:\{[^}]*\})? (\S+)$/gm))
    total += Number(value);
  return total;
}
