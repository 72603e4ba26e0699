/**
 * mass-only scenarios (neither the floor nor acpx has an ARI): agentrun/get latency and
 * throughput over 1 and 50 connections, and massctl's start-up against a bare `deno run`.
 */
import { AriClient, type RunKey } from "../../../mod.ts";
import { massctl, type MassSide, WS } from "./mass_side.ts";
import type { Samples } from "./result.ts";

export interface AriOptions {
  requests: number;
  seconds: number;
  startups: number;
  emptyFile: string;
  log: (line: string) => void;
}

/** agentrun/get on one connection (serial) and on 50 (closed loop, one in flight each). */
export async function ariLatency(mass: MassSide, key: RunKey, samples: Samples, opts: AriOptions) {
  const one = await AriClient.connect(mass.socket);
  const fifty = await Promise.all(Array.from({ length: 50 }, () => AriClient.connect(mass.socket)));
  try {
    for (let i = 0; i < 200; i++) await one.agentrunGet(key);
    const lat1: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < opts.requests; i++) {
      const s = performance.now();
      await one.agentrunGet(key);
      lat1.push(performance.now() - s);
    }
    const secs1 = (performance.now() - t0) / 1000;
    const base = { scenario: "ARI agentrun/get", agent: "demo" };
    for (const v of lat1) {
      samples.add({ ...base, metric: "latency, 1 conn ms", unit: "ms" }, "mass", v);
    }
    samples.add(
      { ...base, metric: "throughput, 1 conn req/s", unit: "req/s", higherIsBetter: true },
      "mass",
      lat1.length / secs1,
    );

    const lat50: number[] = [];
    const end = performance.now() + opts.seconds * 1000;
    const t1 = performance.now();
    await Promise.all(fifty.map(async (c) => {
      while (performance.now() < end) {
        const s = performance.now();
        await c.agentrunGet(key);
        lat50.push(performance.now() - s);
      }
    }));
    const secs50 = (performance.now() - t1) / 1000;
    for (const v of lat50) {
      samples.add({ ...base, metric: "latency, 50 conns ms", unit: "ms" }, "mass", v);
    }
    samples.add(
      { ...base, metric: "throughput, 50 conns req/s", unit: "req/s", higherIsBetter: true },
      "mass",
      lat50.length / secs50,
    );
    opts.log("ARI latency done");
  } finally {
    for (const c of [one, ...fifty]) c.close();
  }
}

/**
 * `massctl agentrun get` against `deno run` of an empty file, alternating. The bare deno
 * run is the floor: what any Deno CLI pays before its first line runs.
 */
export async function massctlStartup(
  mass: MassSide,
  key: RunKey,
  samples: Samples,
  opts: AriOptions,
) {
  const row = { scenario: "massctl start-up", agent: "-", metric: "wall ms", unit: "ms" };
  for (let i = 0; i < opts.startups; i++) {
    const t0 = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", opts.emptyFile],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!out.success) throw new Error("deno run of an empty file failed");
    samples.add(row, "floor", performance.now() - t0);
    samples.add(
      row,
      "massctl",
      await massctl(mass.socket, ["agentrun", "get", "-w", WS, key.name]),
    );
  }
  opts.log("massctl start-up done");
}
