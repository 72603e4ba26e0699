/**
 * ARI request latency: `agentrun/get` (and `system/info`, `agent/get` for comparison) over
 * one connection, and 50 requests in flight over 50 connections. Targets: p50 ≤ 0.5 ms per
 * request on one connection, ≥ 10k req/s over 50 connections (one iteration of the 50-way
 * bench = 50 requests: req/s = 50 / avg). `deno task bench`; see ari_bench_json.ts for
 * p50/p99 and throughput as JSON.
 */
import { connectMany, startBenchDaemon } from "./ari_bench_setup.ts";

const daemon = await startBenchDaemon();
// deno bench has no teardown hook: kill the daemon and the run when the process ends.
globalThis.addEventListener("unload", () => daemon.killSync());

const [single] = await connectMany(daemon.socket, 1);
const many = await connectMany(daemon.socket, 50);

Deno.bench("agentrun/get, 1 connection", { group: "ari-1", baseline: true }, async () => {
  await single.agentrunGet(daemon.key);
});

Deno.bench("agent/get, 1 connection", { group: "ari-1" }, async () => {
  await single.agentGet("demo");
});

Deno.bench("system/info, 1 connection", { group: "ari-1" }, async () => {
  await single.systemInfo();
});

Deno.bench("agentrun/get x50, 50 connections", { group: "ari-50" }, async () => {
  await Promise.all(many.map((c) => c.agentrunGet(daemon.key)));
});

Deno.bench("agentrun/get x50 pipelined, 1 connection", { group: "ari-50" }, async () => {
  await Promise.all(many.map(() => single.agentrunGet(daemon.key)));
});
