// What a run prints and writes: the machine, the table of ratios, bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';

function readOr(path, fallback) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export function describeMachine() {
  const cpuinfo = readOr('/proc/cpuinfo', '');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || os.cpus().length;
  const memKb = Number(
    /^MemTotal:\s+(\d+) kB/m.exec(readOr('/proc/meminfo', ''))?.[1] ?? os.totalmem() / 1024,
  );
  return {
    cpu: model.trim(),
    cores,
    memoryMb: Math.round(memKb / 1024),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function gitRevision(root) {
  const git = (...args) =>
    execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain') !== '' };
  } catch {
    return { commit: 'unknown', dirty: null };
  }
}

/** `fkapi_cache_hits_total` and `fkapi_cache_misses_total` summed over cache types, or null. */
export async function readCacheCounters(baseUrl) {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) return null;
    const text = await response.text();
    const sum = (name) =>
      [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([\\d.e+-]+)$`, 'gm'))].reduce(
        (total, match) => total + Number(match[1]),
        0,
      );
    return {
      hits: sum('fkapi_cache_hits_total'),
      misses: sum('fkapi_cache_misses_total'),
      memoryHits: sum('fkapi_cache_l1_hits_total'),
    };
  } catch {
    return null;
  }
}

const fixed = (value, digits) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const percent = (value, digits) =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)} %`;
const times = (value) => (value === null || value === undefined ? '—' : `${value.toFixed(2)}×`);

export function addRatios(results) {
  const base = (id) => results.find((r) => r.id === id)?.requestsPerSecond ?? null;
  const ceiling = base('ceiling');
  const express = base('peer-express');
  const fastify = base('peer-fastify');
  for (const r of results) {
    r.ratioToCeiling = ceiling ? r.requestsPerSecond / ceiling : null;
    r.ratioToExpressPeer = express ? r.requestsPerSecond / express : null;
    r.ratioToFastifyPeer = fastify ? r.requestsPerSecond / fastify : null;
  }
}

export function formatTable(results) {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'server CPU µs/req',
    'vs ceiling',
    'vs Express peer',
    'vs Fastify peer',
    'cache hits',
    'other CPU',
  ];
  const rows = results.map((r) => [
    r.label,
    fixed(r.requestsPerSecond, 0),
    fixed(r.p50Ms, 2),
    fixed(r.p99Ms, 2),
    fixed(r.serverCpuMicrosPerRequest, 1),
    times(r.ratioToCeiling),
    times(r.ratioToExpressPeer),
    times(r.ratioToFastifyPeer),
    percent(r.cacheHitRatio, 1),
    percent(r.otherCpu, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function writeJson(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}
