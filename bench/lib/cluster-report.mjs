// The report `npm run bench:cluster` prints.

const ms = (value) => value.toFixed(3);
const percent = (share) => `${(share * 100).toFixed(1)} %`;

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => `${'-'.repeat(w + 1)}${i === 0 ? '-' : ':'}`).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The result of one run (the JSON written) as the text printed. */
export function formatReport(result) {
  const { cluster, single, settings, git, machine } = result;
  const warmUp = Object.entries(settings.warmUp)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const lines = [
    `FKApi on a Redis Cluster — ${result.date} — commit ${git.commit}${git.dirty ? ' (with uncommitted changes)' : ''}`,
    `${machine.cpu} × ${machine.cores}, Node ${machine.node}, Redis ${result.versions.redis}; ` +
      `${settings.kits} kits (database ${settings.database})`,
    `Rate limit: ${settings.rateLimit}.`,
    `Warm-up, through one API process, ${settings.warmConcurrency} requests at a time: ` +
      `${cluster.warm.requests} requests (${warmUp}); ` +
      `${cluster.warm.seconds.toFixed(1)} s on the cluster, ${single.warm.seconds.toFixed(1)} s on the single Redis.`,
    '',
    `Entries per master after the warm-up (keys fkapi:{n}:v1:…, tag sets, type sets and sequences not counted):`,
    ...cluster.entries.masters.map(
      (m) =>
        `  127.0.0.1:${m.port} (${m.slotCount} slots): ${String(m.count).padStart(7)} entries, ` +
        `${percent(m.share).padStart(6)}  (${m.keys} keys in all)`,
    ),
    `  total ${cluster.entries.total} entries (single Redis: ${single.entries.total}); ` +
      `largest share ${percent(cluster.entries.maxShare)} (target ≤ 50 %)`,
    '',
    `Invalidating one kit (kitChangeTags: the kit, its club's and season's kit lists, the kit list,`,
    `search and bulk families), timed from this process after the API cached the kit again; ` +
      `${settings.warmUpInvalidations} unmeasured first:`,
    table(
      ['Redis', 'timed', 'median ms', 'p95 ms', 'max ms', 'deleted min/median/max', 'scripts each'],
      [
        [
          `Redis Cluster (${settings.cluster}), as shipped`,
          cluster.invalidation,
          ' (one per shard group, in parallel), each with WAIT 1',
        ],
        ...(cluster.invalidationWithoutReplicaAcks
          ? [
              [
                'the same, REDIS_CLUSTER_REPLICA_ACKS=false',
                cluster.invalidationWithoutReplicaAcks,
                ' (one per shard group, in parallel), no WAIT',
              ],
            ]
          : []),
        [`single Redis (${settings.singleRedis})`, single.invalidation, ''],
      ].map(([name, i, scripts]) => [
        name,
        String(i.runs),
        ms(i.medianMs),
        ms(i.p95Ms),
        ms(i.maxMs),
        `${i.deleted.min}/${i.deleted.median}/${i.deleted.max}`,
        `${i.scriptsPerInvalidation}${scripts}`,
      ]),
    ),
    '',
    'Targets ("Scale out on real engines"):',
    ...result.targets.map((target) => `  ${target.met ? 'met ' : 'MISS'}  ${target.text}`),
  ];
  return lines.join('\n');
}
