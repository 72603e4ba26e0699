/**
 * `deno task bench`: every scenario three ways in one process, alternating, on the same
 * agents: floor (ACP spoken directly), mass (ARI typed client, and massctl), acpx.
 *
 *   deno task bench            # full: N = 1, 10, 50, 100; writes tests/bench/results/latest.*
 *   deno task bench --quick    # CI-sized: small N, few iterations; writes results/quick.*
 *
 * Flags: --no-acpx, --out DIR, --ns 1,10 (override N), --iterations K.
 * Kills only what it started (its own temp root's processes, acpx's under our HOME).
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { acpxProblem, AcpxSide } from "./acpx_side.ts";
import { type AgentCommand, demoAgent, testAgent } from "./agents.ts";
import { concurrencyChart } from "./chart_svg.ts";
import { eventLogReplay } from "./event_log_replay.ts";
import { MassSide, WS } from "./mass_side.ts";
import { type Report, reportMarkdown } from "./report_md.ts";
import { Samples } from "./result.ts";
import { ariLatency, massctlStartup } from "./scenario_ari.ts";
import { concurrentRuns } from "./scenario_concurrent.ts";
import { createToIdle, longTurn, warmPrompt } from "./scenario_single.ts";
import { sweep } from "./sweep.ts";
import { evaluateTargets } from "./targets.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    "no-acpx": { type: "boolean", default: false },
    out: { type: "string" },
    ns: { type: "string" },
    iterations: { type: "string" },
  },
});
const quick = values.quick;
const cfg = {
  iterations: Number(values.iterations ?? (quick ? 3 : 10)),
  chunks: quick ? 20_000 : 100_000,
  chunkIterations: quick ? 1 : 3,
  ns: values.ns ? values.ns.split(",").map(Number) : quick ? [1, 5] : [1, 10, 50, 100],
  acpxMaxN: quick ? 5 : 10,
  requests: quick ? 1_000 : 5_000,
  seconds: quick ? 1 : 3,
  startups: quick ? 3 : 10,
};
const outDir = values.out ?? fileURLToPath(new URL("../results/", import.meta.url));
const base = quick ? "quick" : "latest";
const log = (line: string) =>
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const root = await Deno.makeTempDir({ prefix: "mbc", dir: "/tmp" });
const onSignal = () => {
  sweep(root);
  Deno.removeSync(root, { recursive: true });
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

const notes: string[] = [];
const problem = values["no-acpx"] ? "acpx skipped (--no-acpx)" : acpxProblem();
if (problem) notes.push(problem);
notes.push(
  `acpx runs N concurrent sessions only up to N = ${cfg.acpxMaxN} (each is a Node queue owner plus its agent).`,
  "The floor and acpx have no ARI: ARI latency, recovery and massctl start-up are mass-only rows.",
);
const agents: AgentCommand[] = [testAgent()];
const samples = new Samples();
const extra: Record<string, unknown> = {};
const load = Deno.loadavg();
let mass: MassSide | undefined;
const acpxSides: AcpxSide[] = [];
try {
  const cwd = `${root}/floor-ws`;
  await Deno.mkdir(cwd);
  await Deno.writeTextFile(`${cwd}/README.md`, "# bench\n");
  mass = await MassSide.start(`${root}/m`, agents);
  agents.push(demoAgent((await mass.client.agentGet("demo")).spec));
  log(`mass server up (pid ${mass.pid}); mode ${base}`);
  const single = { ...cfg, cwd, log };
  for (const agent of agents) {
    const acpx = problem ? undefined : await AcpxSide.create(root, agent);
    if (acpx) acpxSides.push(acpx);
    await createToIdle(agent, mass, acpx, samples, single);
    await warmPrompt(agent, mass, acpx, samples, single);
    if (agent.name === "test") await longTurn(agent, mass, acpx, samples, single);
    acpx?.close();
  }
  const demo = agents[1];
  const acpxN = problem
    ? undefined
    : await AcpxSide.create(`${root}/n`, demo).catch(() => undefined);
  if (acpxN) acpxSides.push(acpxN);
  await Deno.mkdir(`${root}/n`, { recursive: true });
  await concurrentRuns(demo, mass, acpxN, samples, { ...cfg, cwd, log });

  const key = { workspace: WS, name: "reader" };
  await mass.createToIdle(key.name, "demo");
  const emptyFile = `${root}/empty.ts`;
  await Deno.writeTextFile(emptyFile, "");
  const ariOpts = { ...cfg, emptyFile, log };
  await ariLatency(mass, key, samples, ariOpts);
  await massctlStartup(mass, key, samples, ariOpts);
  extra.eventLogReplay = await eventLogReplay(quick ? 20_000 : 100_000);
  log("event-log replay done");
} finally {
  await mass?.close().catch((e) => log(`close: ${e}`));
  for (const a of acpxSides) a.close();
  const left = sweep(root);
  if (left) log(`killed ${left} leftover process(es) of the bench root`);
  await Deno.remove(root, { recursive: true }).catch(() => {});
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}

const rows = samples.rows();
const report: Report = {
  date: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  machine: {
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    os: `${Deno.build.os}/${Deno.build.arch}`,
    load,
  },
  notes,
  rows,
  targets: evaluateTargets(rows, Math.max(...cfg.ns), agents.map((a) => a.name)),
  extra,
};
await Deno.mkdir(outDir, { recursive: true });
await Deno.writeTextFile(`${outDir}/${base}.json`, JSON.stringify(report, null, 2) + "\n");
await Deno.writeTextFile(
  `${outDir}/${base}.md`,
  reportMarkdown(report).replace("latest.svg", `${base}.svg`),
);
await Deno.writeTextFile(`${outDir}/${base}.svg`, concurrencyChart(rows));
console.log(reportMarkdown(report));
