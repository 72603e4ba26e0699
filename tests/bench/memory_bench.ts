/**
 * Agent-run memory under big prompts with replays on top, printed as JSON:
 *   deno run -A tests/bench/memory_bench.ts [--prompts N] [--mib N] [--replays N] [--idle-s N]
 *
 * Sends N prompts of `--mib` MiB each (the test agent echoes them back, so each turn logs the
 * prompt twice), and after each turn opens `--replays` watches from seq 0 that read the whole
 * log over sockets that do not read (the worst client: everything the agent-run would buffer
 * for it stays in the agent-run). Reports the agent-run's VmRSS: peak while loaded, and after
 * `--idle-s` seconds idle with the watches closed.
 */
import { parseArgs } from "node:util";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { makeBundle, Runner, text, waitForPhase } from "../runner/harness.ts";
import { vmRssMB } from "./runner_bench_json.ts";

export interface MemoryResult {
  prompts: number;
  promptMiB: number;
  replays: number;
  peakRssMB: number;
  idleRssMB: number;
  idleSeconds: number;
}

/** Runs the load against a fresh agent-run and samples its RSS every 50 ms. */
export async function memoryUnderLoad(
  prompts: number,
  mib: number,
  replays: number,
  idleSeconds: number,
): Promise<MemoryResult> {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      const rss = vmRssMB(runner.pid);
      if (Number.isFinite(rss)) peak = Math.max(peak, rss);
    } catch {
      // gone
    }
  }, 50);
  const watchers: RpcPeer[] = [];
  try {
    const peer = await runner.dial(30_000);
    await waitForPhase(peer, "idle", 30_000);
    const filler = "x".repeat(mib * 1024 * 1024);
    for (let i = 0; i < prompts; i++) {
      await peer.request(RunnerMethods.prompt, text(`say turn-${i}\n${filler}`), {
        timeoutMs: 300_000,
      });
      for (let r = 0; r < replays; r++) {
        // A watcher that never reads: its socket fills, the rest waits in the agent-run.
        const w = await dialUnix(bundle.socket, { connectTimeoutMs: 5_000 });
        await w.request(RunnerMethods.watchEvent, { watchId: `w${i}-${r}`, fromSeq: 0 });
        watchers.push(w);
      }
    }
    await new Promise((r) => setTimeout(r, 2_000));
    for (const w of watchers) w.close();
    await new Promise((r) => setTimeout(r, idleSeconds * 1_000));
    const idle = vmRssMB(runner.pid);
    await runner.stop(peer);
    peer.close();
    return {
      prompts,
      promptMiB: mib,
      replays,
      peakRssMB: peak,
      idleRssMB: idle,
      idleSeconds,
    };
  } finally {
    clearInterval(sampler);
    for (const w of watchers) w.close();
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      prompts: { type: "string", default: "8" },
      mib: { type: "string", default: "4" },
      replays: { type: "string", default: "2" },
      "idle-s": { type: "string", default: "30" },
    },
  });
  const res = await memoryUnderLoad(
    Number(values.prompts),
    Number(values.mib),
    Number(values.replays),
    Number(values["idle-s"]),
  );
  console.log(JSON.stringify(res, null, 2));
}
