/**
 * `deno bench -A tests/bench/runner_bench.ts`: agent-run spawn-to-idle and live event
 * throughput (runner_bench_json.ts prints the same measurements as JSON, with RSS).
 */
import { liveThroughput, spawnToIdle } from "./runner_bench_json.ts";

Deno.bench({
  name: "mass run: spawn to idle (test agent)",
  n: 5,
  warmup: 1,
  async fn() {
    await spawnToIdle();
  },
});

Deno.bench({
  name: "mass run: 20 000 live events to one watcher",
  n: 3,
  warmup: 0,
  async fn() {
    await liveThroughput(20_000);
  },
});
