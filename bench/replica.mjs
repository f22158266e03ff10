// `npm run bench:replica`: cache-miss throughput of our API with and without a PostgreSQL
// streaming replica, longer than the section at the end of `npm run bench`
// (bench/lib/replica-misses.mjs says how). See docs/SCALING.md.
//
// Environment (all optional):
//   REDIS_URL              Redis server (default redis://127.0.0.1:6379); the database index is
//                          replaced by BENCH_REDIS_DB (13), emptied before each run
//   BENCH_REPLICA_KITS     kits seeded (150000: every request of every run must miss)
//   BENCH_CONNECTIONS      concurrent connections (32)
//   BENCH_DURATION         measured seconds per run (8)
//   BENCH_ROUNDS           runs per configuration, taken in turn (2)
import { killAllNow } from './lib/children.mjs';
import { chooseTool } from './lib/load.mjs';
import { describeReplicaMisses, measureReplicaMisses } from './lib/replica-misses.mjs';
import { integer } from './lib/settings.mjs';

async function main() {
  const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  redisUrl.pathname = `/${integer('BENCH_REDIS_DB', 13, 0, 15)}`;
  const tool = chooseTool({ tool: process.env.BENCH_TOOL ?? 'auto', wrk: process.env.BENCH_WRK ?? 'wrk' });
  const result = await measureReplicaMisses({
    kits: integer('BENCH_REPLICA_KITS', 150_000, 1, 10_000_000),
    connections: integer('BENCH_CONNECTIONS', 32, 1, 10_000),
    seconds: integer('BENCH_DURATION', 8, 1, 3600),
    rounds: integer('BENCH_ROUNDS', 2, 1, 100),
    redisUrl: redisUrl.toString(),
    tool,
  });
  for (const one of result.runs)
    console.log(
      `${one.configuration}, round ${one.round}: ${Math.round(one.requestsPerSecond)} misses/s, ` +
        `p50 ${one.p50Ms} ms, p99 ${one.p99Ms} ms, non-2xx ${one.non2xx}`,
    );
  console.log(`\n${describeReplicaMisses(result, tool.name)}`);
}

main().catch((error) => {
  console.error(error);
  killAllNow();
  process.exitCode = 1;
});
