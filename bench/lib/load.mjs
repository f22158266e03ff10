// Load generation: autocannon's programmatic API, or wrk when it is on PATH (BENCH_TOOL=auto).
// Both rotate over a list of paths; a rotation carries on from the warm-up into the measured run,
// so a scenario whose paths must not repeat (the miss scenario) never requests one twice.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * `exact`: wrk reports where each thread stopped (a global it updates per request, which costs
 * wrk's threads enough CPU to move a hit ratio on two cores: our kit hit went from 0.96x to
 * 0.87-0.89x of the ceiling); without it, `next` after a wrk run is a bound twice too high.
 * For runs that must never repeat a path and are far from wrk's limits (misses).
 */
export function createRotation(paths, { exact = false } = {}) {
  return { paths, next: 0, exact };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function wrkVersion(wrk) {
  try {
    // `wrk -v` prints its version and exits with 1.
    execFileSync(wrk, ['-v'], { stdio: 'pipe' });
  } catch (error) {
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    const match = /wrk\s+(\S+)/.exec(text);
    if (match) return match[1];
  }
  return null;
}

/** The tool to use: autocannon unless wrk is asked for, or found with BENCH_TOOL=auto. */
export function chooseTool({ tool, wrk }) {
  if (tool !== 'autocannon') {
    const version = wrkVersion(wrk);
    if (version) return { name: 'wrk', version, path: wrk };
    if (tool === 'wrk')
      throw new Error(`BENCH_TOOL=wrk but "${wrk} -v" did not run; set BENCH_WRK to its path`);
  }
  return { name: 'autocannon', version: require('autocannon/package.json').version };
}

/** One run of `seconds` with `connections` connections: requests/s, p50/p99 ms, status counts. */
export function runLoad(tool, { baseUrl, rotation, connections, seconds }) {
  return tool.name === 'wrk'
    ? runWrk(tool.path, { baseUrl, rotation, connections, seconds })
    : runAutocannon({ baseUrl, rotation, connections, seconds });
}

function runAutocannon({ baseUrl, rotation, connections, seconds }) {
  const autocannon = require('autocannon');
  const { paths } = rotation;
  // autocannon's own histogram keeps whole milliseconds; these are exact.
  const latencies = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              request.path = paths[rotation.next++ % paths.length];
              return request;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        resolve({
          requests: result.requests.total,
          seconds: result.duration,
          requestsPerSecond: result.requests.total / result.duration,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes: Object.fromEntries(
            Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]),
          ),
          bytesPerResponse:
            result.requests.total > 0 ? result.throughput.total / result.requests.total : null,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

const WRK_UNITS_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function wrkLatencyMs(output, percent) {
  const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  return match ? Number(match[1]) * WRK_UNITS_MS[match[2]] : null;
}

/**
 * Each wrk thread takes every n-th path from the rotation's position, so threads never overlap.
 * `exact`: the position is a global, which `done` reads from each thread to print where the
 * rotation ended; otherwise a local (a global per request costs wrk's threads CPU the servers
 * then lack: see `createRotation`).
 */
function wrkScript(paths, exact) {
  const scope = exact ? '' : 'local ';
  const done = `
function done()
  local last = 0
  for _, thread in ipairs(threads) do
    last = math.max(last, thread:get("position"))
  end
  io.write("rotation next " .. string.format("%d", last) .. "\\n")
end
`;
  return `
local paths = {${paths.map((p) => JSON.stringify(p)).join(',')}}
local count = #paths
local created = 0
local threads = {}
function setup(thread)
  thread:set("index", created)
  created = created + 1
  table.insert(threads, thread)
end
${scope}position = 0
${scope}stride = 1
function init(args)
  stride = tonumber(args[2])
  position = tonumber(args[1]) + index
end
function request()
  local path = paths[(position % count) + 1]
  position = position + stride
  return wrk.format("GET", path)
end
${exact ? done : ''}`;
}

function runWrk(wrk, { baseUrl, rotation, connections, seconds }) {
  const threads = Math.max(1, Math.min(2, connections));
  const dir = mkdtempSync(join(tmpdir(), 'fkapi-bench-'));
  const script = join(dir, 'rotate.lua');
  writeFileSync(script, wrkScript(rotation.paths, rotation.exact));
  const args = [
    '-t',
    String(threads),
    '-c',
    String(connections),
    '-d',
    `${seconds}s`,
    '--latency',
    '-s',
    script,
  ];
  args.push(baseUrl, '--', String(rotation.next), String(threads));
  return new Promise((resolve, reject) => {
    const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)/m.exec(output);
      if (code !== 0 || !total) return reject(new Error(`wrk exited with ${code}:\n${output}`));
      const requests = Number(total[1]);
      const elapsed = (Number(total[2]) * WRK_UNITS_MS[total[3]]) / 1000;
      if (rotation.exact) {
        // The position past the last path any thread took (the script's `done` prints it).
        const next = /^rotation next (\d+)$/m.exec(output);
        if (!next) return reject(new Error(`wrk did not print where its rotation ended:\n${output}`));
        rotation.next = Number(next[1]);
      } else {
        // No thread went further than `threads` × its own count: the next run starts past all.
        rotation.next += threads * (requests + 1);
      }
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
      const errors = socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0;
      resolve({
        requests,
        seconds: elapsed,
        requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? requests / elapsed),
        p50Ms: wrkLatencyMs(output, 50),
        p99Ms: wrkLatencyMs(output, 99),
        non2xx,
        errors,
        timeouts: socket ? Number(socket[4]) : 0,
        statusCodes: null,
        bytesPerResponse: null,
      });
    });
  });
}
