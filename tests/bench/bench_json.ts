/**
 * Every benchmark with a target, in one JSON document:
 *   deno run -A tests/bench/bench_json.ts
 *
 * Runs the per-layer JSON benches as subprocesses (each cleans up what it starts) and
 * measures event-log replay in process, then reports each number beside its target.
 */
import { fileURLToPath } from "node:url";
import { EventLog } from "../../specs/eventlog/mod.ts";

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

async function runJson(file: string, args: string[] = []): Promise<unknown> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", here(file), ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) return { error: `${file} exited with ${out.code}` };
  try {
    return JSON.parse(text.slice(text.indexOf("{")));
  } catch {
    return { error: `${file} printed no JSON`, output: text.slice(0, 500) };
  }
}

/** Events/s reading a 100k-event log (4 MiB segments) from seq 0. */
async function replay(events = 100_000): Promise<{ events: number; eventsPerSecond: number }> {
  const dir = await Deno.makeTempDir({ prefix: "mbench" });
  try {
    const log = await EventLog.open(dir, { segmentBytes: 4 * 1024 * 1024 });
    const text = "token ".repeat(20);
    for (let seq = 0; seq < events; seq++) {
      await log.append({
        runId: "bench",
        sessionId: "s",
        seq,
        time: new Date().toISOString(),
        type: "agent_message",
        turnId: "t",
        payload: { status: "streaming", content: { type: "text", text } },
      });
    }
    const t0 = performance.now();
    let n = 0;
    for await (const _ of log.read(0)) n++;
    const secs = (performance.now() - t0) / 1000;
    await log.close();
    return { events: n, eventsPerSecond: Math.round(n / secs) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const results = {
  machine: { cores: navigator.hardwareConcurrency, deno: Deno.version.deno },
  eventLogReplay: { ...(await replay()), target: ">= 100000 events/s" },
  agentRun: {
    ...(await runJson("runner_bench_json.ts") as object),
    targets: { spawnToIdleP50Ms: "<= 400", eventsPerSecond: ">= 20000", idleRssMB: "<= 80" },
  },
  ari: {
    ...(await runJson("ari_bench_json.ts") as object),
    targets: { getP50Ms: "<= 0.5", getThroughput: ">= 10000 req/s" },
  },
  runs: {
    ...(await runJson("runs_bench_json.ts") as object),
    targets: { createToIdleP50Ms: "<= 500", recovery50Ms: "<= 2000", agentdRss50MB: "<= 150" },
  },
  // The OS sandbox (mode auto vs none, alternating): its cost on create→idle and a warm prompt.
  sandbox: await runJson("sandbox_bench_json.ts"),
};
console.log(JSON.stringify(results, null, 2));
