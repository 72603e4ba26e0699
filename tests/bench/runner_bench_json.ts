/**
 * Agent-run benchmarks, printed as JSON:
 *   deno run -A tests/bench/runner_bench_json.ts [--runs N] [--chunks N]
 *
 * - spawnToIdleMs: `mass run` (under its computed permissions, test agent) from spawn to
 *   `runtime/status` phase idle; p50 / min / max over N runs.
 * - eventsPerSecond: live events from the agent to one watcher on the runner socket while the
 *   test agent streams `chunks N` (default 100 000).
 * - idleRssMB: VmRSS of an idle agent-run (/proc/<pid>/status).
 * Targets are ratios against the floor, checked by `deno task bench` (compare/main.ts).
 */
import { parseArgs } from "node:util";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { until } from "../support/wait.ts";
import { EventCollector, makeBundle, Runner, text, waitForPhase } from "../runner/harness.ts";

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Milliseconds from spawning `mass run` to phase idle; the agent-run is stopped after. */
export async function spawnToIdle(): Promise<{ ms: number; rssMB: number }> {
  const bundle = await makeBundle();
  const t0 = performance.now();
  const runner = new Runner(bundle);
  try {
    const peer = await runner.dial(30_000);
    await until("idle", async () => {
      const s = await peer.request<{ state: { phase: string } }>(RunnerMethods.status, null);
      return s.state.phase === "idle";
    }, 30_000);
    const ms = performance.now() - t0;
    const rssMB = vmRssMB(runner.pid);
    await runner.stop(peer);
    peer.close();
    return { ms, rssMB };
  } finally {
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  }
}

export function vmRssMB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Streams `chunks` agent_message chunks to one live watcher; returns events per second. */
export async function liveThroughput(chunks: number): Promise<{
  events: number;
  ms: number;
  perSecond: number;
  reconnects: number;
}> {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  try {
    const peer = await runner.dial(30_000);
    await waitForPhase(peer, "idle", 30_000);
    const watch = await EventCollector.watch(bundle.socket);
    const t0 = performance.now();
    const turn = peer.request(RunnerMethods.prompt, text(`chunks ${chunks}`), {
      timeoutMs: 300_000,
    });
    await watch.waitFor((e) => e.type === "turn_end", 300_000, "turn_end");
    const ms = performance.now() - t0;
    await turn;
    const endSeq = watch.ofType("turn_end")[0].seq;
    const events = watch.events.filter((e) => e.seq <= endSeq).length;
    watch.close();
    await runner.stop(peer);
    peer.close();
    return {
      events,
      ms: Math.round(ms),
      perSecond: Math.round(events / (ms / 1000)),
      reconnects: watch.reconnects,
    };
  } finally {
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "10" },
      chunks: { type: "string", default: "100000" },
    },
  });
  const runs = Number(values.runs);
  const spawn: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await spawnToIdle();
    spawn.push(r.ms);
    rss.push(r.rssMB);
  }
  const live = await liveThroughput(Number(values.chunks));
  console.log(JSON.stringify(
    {
      spawnToIdleMs: {
        p50: Math.round(percentile(spawn, 50)),
        min: Math.round(Math.min(...spawn)),
        max: Math.round(Math.max(...spawn)),
        runs,
      },
      eventsPerSecond: live,
      idleRssMB: { p50: percentile(rss, 50), max: Math.max(...rss) },
    },
    null,
    2,
  ));
}
