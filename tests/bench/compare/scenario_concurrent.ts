/**
 * N concurrent runs of one agent: time until all are idle, memory, one prompt to every run
 * at once (all answered?), and, for mass, recovery after kill -9 of agentd with the N runs
 * live. Floor: N agents with N ACP connections in the benchmark process. acpx: N named
 * sessions (up to `acpxMaxN`; each is a Node queue owner plus its agent).
 */
import { deadline, until } from "../../support/wait.ts";
import type { AcpxSide } from "./acpx_side.ts";
import type { AgentCommand } from "./agents.ts";
import { FloorSession } from "./floor.ts";
import { type MassSide, rssMB, TurnWatcher, WS } from "./mass_side.ts";
import type { Samples } from "./result.ts";

export interface ConcurrentOptions {
  ns: number[];
  acpxMaxN: number;
  cwd: string;
  log: (line: string) => void;
}

/** Every N of `opts.ns`, each way in turn. */
export async function concurrentRuns(
  agent: AgentCommand,
  mass: MassSide,
  acpx: AcpxSide | undefined,
  samples: Samples,
  opts: ConcurrentOptions,
): Promise<void> {
  for (const n of opts.ns) {
    const row = (metric: string, unit: string) => ({
      scenario: "N concurrent runs",
      agent: agent.name,
      metric,
      unit,
      n,
    });
    await _floor(agent, n, opts.cwd, samples, row);
    opts.log(`concurrent floor N=${n}`);
    await _mass(agent, n, mass, samples, row);
    opts.log(`concurrent mass N=${n}`);
    if (acpx && n <= opts.acpxMaxN) {
      await _acpx(acpx, n, samples, row);
      opts.log(`concurrent acpx N=${n}`);
    }
  }
}

type RowOf = (metric: string, unit: string) => {
  scenario: string;
  agent: string;
  metric: string;
  unit: string;
  n: number;
};

async function _floor(agent: AgentCommand, n: number, cwd: string, samples: Samples, row: RowOf) {
  const t0 = performance.now();
  const opened = await Promise.allSettled(
    Array.from({ length: n }, () => FloorSession.open(agent, cwd)),
  );
  const sessions = opened.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  try {
    if (sessions.length < n) throw new Error(`floor: ${n - sessions.length} of ${n} agents failed`);
    samples.add(row("all idle ms", "ms"), "floor", performance.now() - t0);
    const agentRss = sessions.map((s) => rssMB(s.child.pid));
    samples.add(row("agent RSS per run MB", "MB"), "floor", _mean(agentRss));
    const t1 = performance.now();
    const answered = await Promise.allSettled(sessions.map((s) => s.prompt(agent.prompt)));
    samples.add(row("prompt to all, all answered ms", "ms"), "floor", performance.now() - t1);
    samples.add(
      row("prompts answered", "runs"),
      "floor",
      answered.filter((a) => a.status === "fulfilled").length,
    );
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
}

async function _mass(agent: AgentCommand, n: number, mass: MassSide, samples: Samples, row: RowOf) {
  const names = Array.from({ length: n }, (_, i) => `n${n}-${i}`);
  const c = mass.client;
  const t0 = performance.now();
  await Promise.all(
    names.map((name) =>
      c.agentrunCreate({ metadata: { workspace: WS, name }, spec: { agent: agent.name } })
    ),
  );
  await until(
    `${n} runs idle`,
    async () => {
      const items = (await c.agentrunList({ fieldSelector: { workspace: WS } })).items;
      const mine = items.filter((r) => names.includes(r.metadata.name));
      const bad = mine.find((r) => r.status.phase === "error" || r.status.phase === "stopped");
      if (bad) {
        throw new Error(
          `${bad.metadata.name}: ${bad.status.phase} ${bad.status.errorMessage ?? ""}`,
        );
      }
      return mine.filter((r) => r.status.phase === "idle").length === n;
    },
    300_000,
    20,
  );
  samples.add(row("all idle ms", "ms"), "mass", performance.now() - t0);

  const runs = (await c.agentrunList({ fieldSelector: { workspace: WS } })).items
    .filter((r) => names.includes(r.metadata.name));
  samples.add(row("agentd RSS MB", "MB"), "mass", rssMB(mass.pid));
  samples.add(
    row("agent-run RSS per run MB", "MB"),
    "mass",
    _mean(runs.map((r) => rssMB(r.status.pid))),
  );
  samples.add(
    row("agent RSS per run MB", "MB"),
    "mass",
    _mean(runs.map((r) => _agentRss(r.status.bundle))),
  );

  const watchers = runs.map((r) =>
    new TurnWatcher(
      mass.socket,
      { workspace: WS, name: r.metadata.name },
      (r.status.lastSeq ?? -1) + 1,
    )
  );
  await Promise.all(watchers.map((w) => w.ready));
  const t1 = performance.now();
  await Promise.all(
    names.map((name) =>
      c.agentrunPrompt({ workspace: WS, name, prompt: [{ type: "text", text: agent.prompt }] })
    ),
  );
  const ends = await Promise.allSettled(
    watchers.map((w) => deadline(w.turnEnd, 300_000, "turn_end")),
  );
  samples.add(row("prompt to all, all answered ms", "ms"), "mass", performance.now() - t1);
  samples.add(
    row("prompts answered", "runs"),
    "mass",
    ends.filter((e) => e.status === "fulfilled").length,
  );
  for (const w of watchers) w.close();

  const rec = await mass.killAndRecover();
  samples.add(row("recovery after kill -9 of agentd ms", "ms"), "mass", rec.daemonMs);
  samples.add(row("agentd restart → recovered (wall) ms", "ms"), "mass", rec.wallMs);
  const after = (await mass.client.agentrunList({ fieldSelector: { workspace: WS } })).items
    .filter((r) => names.includes(r.metadata.name) && r.status.phase === "idle");
  samples.add(row("runs idle after recovery", "runs"), "mass", after.length);

  await Promise.all(names.map(async (name) => {
    await mass.client.agentrunStop({ workspace: WS, name }).catch(() => {});
    await mass.client.agentrunDelete({ workspace: WS, name }).catch(() => {});
  }));
}

async function _acpx(acpx: AcpxSide, n: number, samples: Samples, row: RowOf) {
  const names = Array.from({ length: n }, (_, i) => `n${n}-${i}`);
  const t0 = performance.now();
  await Promise.all(names.map((s) => acpx.createSession(s)));
  samples.add(row("all idle ms", "ms"), "acpx", performance.now() - t0);
  const t1 = performance.now();
  const done = await Promise.allSettled(names.map((s) => acpx.prompt(s, acpx.agent.prompt)));
  samples.add(row("prompt to all, all answered ms", "ms"), "acpx", performance.now() - t1);
  samples.add(
    row("prompts answered", "runs"),
    "acpx",
    done.filter((d) => d.status === "fulfilled").length,
  );
  acpx.close();
}

function _agentRss(bundle: string | undefined): number {
  try {
    const st = JSON.parse(Deno.readTextFileSync(`${bundle}/state.json`));
    return rssMB(st.pid);
  } catch {
    return NaN;
  }
}

function _mean(xs: number[]): number {
  const ok = xs.filter(Number.isFinite);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
}
