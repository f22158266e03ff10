// Is anything else using the CPUs while we measure? (Linux /proc; elsewhere every figure is null.)
// The benchmark's own processes are this runner (with the load generator it waits for), the
// servers it started, PostgreSQL and Redis; everything else is "other" and makes a run noisy.
import { readdirSync, readFileSync } from 'node:fs';

const SHARED_SERVICES = new Set(['postgres', 'redis-server']);

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** utime + stime (+ cutime + cstime: children waited for, such as wrk) in clock ticks. */
function processTicks(pid, withChildren = false) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  const own = Number(fields[11]) + Number(fields[12]);
  return { comm, ticks: withChildren ? own + Number(fields[13]) + Number(fields[14]) : own };
}

function systemTicks() {
  const fields = /^cpu\s+(.+)$/m
    .exec(read('/proc/stat') ?? '')?.[1]
    .trim()
    .split(/\s+/)
    .map(Number);
  if (!fields) return null;
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  // Interrupt time is mostly our own loopback traffic and belongs to no process: left out of
  // `processes`, the time that processes, ours or others, spent on the CPUs.
  return { total, busy: total - fields[3] - fields[4], processes: fields[0] + fields[1] + fields[2] };
}

/** Ticks per process of the benchmark: this runner, the servers, PostgreSQL and Redis processes. */
function benchmarkTicks(serverPids) {
  const ticks = new Map([['self', processTicks('self', true)?.ticks ?? 0]]);
  for (const pid of serverPids) ticks.set(String(pid), processTicks(pid)?.ticks ?? 0);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = processTicks(entry);
    if (info && SHARED_SERVICES.has(info.comm)) ticks.set(entry, info.ticks);
  }
  return ticks;
}

export function cpuSnapshot(serverPids) {
  const system = systemTicks();
  return system ? { ...system, ours: benchmarkTicks(serverPids) } : null;
}

/**
 * Shares of all CPUs between two snapshots: busy in all, and busy in processes not ours. A
 * PostgreSQL backend that ended in between took its ticks with it (it counts as other work); one
 * that started counts from zero.
 */
export function cpuShares(before, after) {
  const ticks = cpuTicks(before, after);
  return ticks ? sharesOf(ticks) : { busy: null, other: null };
}

/**
 * The same in clock ticks, to add up over several runs (`sharesOf` then gives the shares), with
 * the ticks of each server process (`servers`, by pid).
 */
export function cpuTicks(before, after) {
  if (!before || !after || after.total === before.total) return null;
  const total = after.total - before.total;
  const busy = after.busy - before.busy;
  let ours = 0;
  const servers = new Map();
  for (const [pid, ticks] of after.ours) {
    const used = Math.max(0, ticks - (before.ours.get(pid) ?? 0));
    ours += used;
    servers.set(pid, used);
  }
  const other = Math.min(busy, Math.max(0, after.processes - before.processes - ours));
  return { total, busy, other, servers };
}

export function sharesOf(ticks) {
  return { busy: ticks.busy / ticks.total, other: ticks.other / ticks.total };
}

/** Clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
export const TICKS_PER_SECOND = 100;
