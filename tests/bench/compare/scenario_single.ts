/**
 * One-run scenarios, alternating floor / mass (typed client) / massctl / acpx each
 * iteration: create → idle, a warm prompt (first event and whole turn), and a long turn of
 * many chunks to a watcher (events/s).
 */
import type { AcpxSide } from "./acpx_side.ts";
import type { AgentCommand } from "./agents.ts";
import { FloorSession } from "./floor.ts";
import { massctl, type MassSide, WS } from "./mass_side.ts";
import type { Samples } from "./result.ts";

export interface SingleOptions {
  iterations: number;
  /** Chunks of the long turn (test agent only). */
  chunks: number;
  chunkIterations: number;
  cwd: string;
  log: (line: string) => void;
}

/** create → idle for each way, `iterations` times, alternating. */
export async function createToIdle(
  agent: AgentCommand,
  mass: MassSide,
  acpx: AcpxSide | undefined,
  samples: Samples,
  opts: SingleOptions,
): Promise<void> {
  const row = { scenario: "create → idle", agent: agent.name, metric: "ms", unit: "ms" };
  for (let i = 0; i < opts.iterations; i++) {
    const t0 = performance.now();
    const floor = await FloorSession.open(agent, opts.cwd);
    samples.add(row, "floor", performance.now() - t0);
    await floor.close();

    const name = `c-${agent.name}-${i}`;
    samples.add(row, "mass", await mass.createToIdle(name, agent.name));
    const cli = `k-${agent.name}-${i}`;
    samples.add(
      row,
      "massctl",
      await massctl(mass.socket, [
        "agentrun",
        "create",
        "-w",
        WS,
        "--name",
        cli,
        "--agent",
        agent.name,
        "--wait",
      ]),
    );
    for (const n of [name, cli]) await _remove(mass, n);
    if (acpx) samples.add(row, "acpx", await acpx.createSession(`c${i}`));
    opts.log(`create→idle ${agent.name} ${i + 1}/${opts.iterations}`);
  }
}

/** A warm prompt on a live session of each way: first agent message and whole turn. */
export async function warmPrompt(
  agent: AgentCommand,
  mass: MassSide,
  acpx: AcpxSide | undefined,
  samples: Samples,
  opts: SingleOptions,
): Promise<void> {
  const first = {
    scenario: "warm prompt",
    agent: agent.name,
    metric: "first event ms",
    unit: "ms",
  };
  const turn = { scenario: "warm prompt", agent: agent.name, metric: "whole turn ms", unit: "ms" };
  const floor = await FloorSession.open(agent, opts.cwd);
  const name = `warm-${agent.name}`;
  await mass.createToIdle(name, agent.name);
  if (acpx) await acpx.createSession("warm");
  try {
    // One unmeasured turn each, so every way is warm (JIT, caches, acpx's queue owner).
    await floor.prompt(agent.prompt);
    await mass.prompt(name, agent.prompt);
    if (acpx) await acpx.prompt("warm", agent.prompt);
    for (let i = 0; i < opts.iterations; i++) {
      const f = await floor.prompt(agent.prompt);
      samples.add(first, "floor", f.firstMs);
      samples.add(turn, "floor", f.turnMs);
      const m = await mass.prompt(name, agent.prompt);
      samples.add(first, "mass", m.firstMs);
      samples.add(turn, "mass", m.turnMs);
      samples.add(
        turn,
        "massctl",
        await massctl(mass.socket, [
          "agentrun",
          "prompt",
          name,
          "-w",
          WS,
          "--text",
          agent.prompt,
          "--wait",
        ]),
      );
      if (acpx) samples.add(turn, "acpx", await acpx.prompt("warm", agent.prompt));
      opts.log(`warm prompt ${agent.name} ${i + 1}/${opts.iterations}`);
    }
  } finally {
    await floor.close();
    await _remove(mass, name);
  }
}

/** A turn of `opts.chunks` chunks from the test agent: events/s to the client or watcher. */
export async function longTurn(
  agent: AgentCommand,
  mass: MassSide,
  acpx: AcpxSide | undefined,
  samples: Samples,
  opts: SingleOptions,
): Promise<void> {
  const row = {
    scenario: `${opts.chunks}-chunk turn`,
    agent: agent.name,
    metric: "events/s",
    unit: "events/s",
    higherIsBetter: true,
  };
  const text = `chunks ${opts.chunks}`;
  const floor = await FloorSession.open(agent, opts.cwd);
  const name = `long-${agent.name}`;
  await mass.createToIdle(name, agent.name);
  if (acpx) await acpx.createSession("long");
  try {
    for (let i = 0; i < opts.chunkIterations; i++) {
      const f = await floor.prompt(text);
      samples.add(row, "floor", f.updates / (f.turnMs / 1000));
      const m = await mass.prompt(name, text);
      samples.add(row, "mass", m.events / (m.turnMs / 1000));
      samples.add(
        { ...row, metric: "watcher reconnects", unit: "count", higherIsBetter: false },
        "mass",
        m.reconnects,
      );
      if (acpx) samples.add(row, "acpx", opts.chunks / ((await acpx.prompt("long", text)) / 1000));
      opts.log(`long turn ${i + 1}/${opts.chunkIterations}`);
    }
  } finally {
    await floor.close();
    await _remove(mass, name);
  }
}

async function _remove(mass: MassSide, name: string): Promise<void> {
  const key = { workspace: WS, name };
  await mass.client.agentrunStop(key).catch(() => {});
  await mass.client.agentrunDelete(key).catch(() => {});
}
