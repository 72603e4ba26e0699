/** The markdown report of one benchmark run: a table per scenario and the targets. */
import { type Row, type Way, WAYS } from "./result.ts";
import { ratio, type Summary } from "./stats.ts";
import { targetNote } from "./target_notes.ts";
import type { TargetResult } from "./targets.ts";

export interface Report {
  date: string;
  mode: "quick" | "full";
  machine: { cores: number; deno: string; os: string; load: number[] };
  notes: string[];
  rows: Row[];
  targets: TargetResult[];
  extra: Record<string, unknown>;
}

function _fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  if (Math.abs(x) >= 1000) return String(Math.round(x));
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function _cell(s: Summary | undefined): string {
  if (!s) return "–";
  if (s.n === 1) return _fmt(s.median);
  return `${_fmt(s.median)} (p90 ${_fmt(s.p90)}, ${_fmt(s.min)}–${_fmt(s.max)})`;
}

function _ratios(r: Row): string {
  const m = (w: Way) => r.ways[w]?.median;
  const out: string[] = [];
  if (r.ways.floor && r.ways.mass) out.push(`mass/floor ${_fmt(ratio(m("mass"), m("floor")))}`);
  if (r.ways.floor && r.ways.massctl) {
    out.push(`massctl/floor ${_fmt(ratio(m("massctl"), m("floor")))}`);
  }
  if (r.ways.acpx && r.ways.massctl) {
    out.push(`massctl/acpx ${_fmt(ratio(m("massctl"), m("acpx")))}`);
  }
  if (r.ways.acpx && r.ways.mass) out.push(`mass/acpx ${_fmt(ratio(m("mass"), m("acpx")))}`);
  return out.join(", ") || "–";
}

/**
 * The whole report as markdown.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("latest.md", reportMarkdown(report));
 * ```
 */
export function reportMarkdown(rep: Report): string {
  const lines = [
    `# mass benchmark (${rep.mode}), ${rep.date}`,
    "",
    `Machine: ${rep.machine.cores} cores, ${rep.machine.os}, deno ${rep.machine.deno}, ` +
    `load average at start ${rep.machine.load.map((l) => l.toFixed(2)).join(" / ")}.`,
    "Cells: median (p90, min–max). floor = the benchmark speaks ACP to the agent itself; " +
    "mass = ARI with the typed client; massctl = the CLI as a user types it (`deno run -A`); " +
    "acpx = npm acpx under Node 22 with `--agent`.",
    "",
    "## Targets",
    "",
    "| Target | Measured | Limit | Met | Why (when missed) |",
    "| --- | --- | --- | --- | --- |",
    ...rep.targets.map((t) =>
      `| ${t.target} | ${_fmt(t.value)} | ${t.limit} | ${t.met ? "yes" : `no: ${t.missedBy}`} | ${
        t.met ? "" : targetNote(t.target) ?? ""
      } |`
    ),
    "",
    "## Results",
    "",
    `| Scenario | Agent | N | Metric | ${WAYS.join(" | ")} | Ratios (medians) |`,
    `| --- | --- | --- | --- | ${WAYS.map(() => "---").join(" | ")} | --- |`,
    ...rep.rows.map((r) =>
      `| ${r.scenario} | ${r.agent} | ${r.n ?? ""} | ${r.metric} | ${
        WAYS.map((w) => _cell(r.ways[w])).join(" | ")
      } | ${_ratios(r)} |`
    ),
    "",
    "![latency and memory against N](latest.svg)",
    "",
  ];
  if (rep.notes.length) lines.push("## Notes", "", ...rep.notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}
