/**
 * Prints ARI latency and throughput as JSON:
 *   deno run -A tests/bench/ari_bench_json.ts [--requests N] [--seconds S]
 *
 * - `serial1`: N sequential `agentrun/get` on one connection: p50/p99 latency (ms), req/s.
 * - `conns50`: 50 connections, each in a closed loop (one request in flight) for S seconds:
 *   per-request p50/p99 and total req/s.
 */
import { parseArgs } from "node:util";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { connectMany, percentile, startBenchDaemon } from "./ari_bench_setup.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "5000" },
    seconds: { type: "string", default: "3" },
  },
});
const N = Number(values.requests);
const SECONDS = Number(values.seconds);

interface Stats {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  reqPerSec: number;
}

function stats(latencies: number[], elapsedMs: number): Stats {
  const sorted = latencies.toSorted((a, b) => a - b);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    requests: latencies.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    reqPerSec: Math.round(latencies.length / (elapsedMs / 1000)),
  };
}

async function serial(c: AriClient, key: RunKey, n: number): Promise<Stats> {
  for (let i = 0; i < 200; i++) await c.agentrunGet(key); // warm-up
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await c.agentrunGet(key);
    lat.push(performance.now() - s);
  }
  return stats(lat, performance.now() - t0);
}

async function closedLoop(clients: AriClient[], key: RunKey, seconds: number): Promise<Stats> {
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 20; i++) await c.agentrunGet(key); // warm-up
  }));
  const lat: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(clients.map(async (c) => {
    while (performance.now() < end) {
      const s = performance.now();
      await c.agentrunGet(key);
      lat.push(performance.now() - s);
    }
  }));
  return stats(lat, performance.now() - t0);
}

const daemon = await startBenchDaemon();
try {
  const [one] = await connectMany(daemon.socket, 1);
  const fifty = await connectMany(daemon.socket, 50);
  const result = {
    method: "agentrun/get",
    deno: Deno.version.deno,
    serial1: await serial(one, daemon.key, N),
    conns50: await closedLoop(fifty, daemon.key, SECONDS),
  };
  for (const c of [one, ...fifty]) c.close();
  console.log(JSON.stringify(result, null, 2));
} finally {
  await daemon.close();
}
