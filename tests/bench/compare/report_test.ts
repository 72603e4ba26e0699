import assert from "node:assert/strict";
import { concurrencyChart } from "./chart_svg.ts";
import { reportMarkdown } from "./report_md.ts";
import { type Row, Samples } from "./result.ts";
import { evaluateTargets } from "./targets.ts";

function _rows(): Row[] {
  const s = new Samples();
  const warm = { scenario: "warm prompt", agent: "demo", metric: "whole turn ms", unit: "ms" };
  for (const v of [100, 110, 120]) s.add(warm, "floor", v);
  for (const v of [105, 115, 125]) s.add(warm, "mass", v);
  s.add(warm, "massctl", 300);
  s.add(warm, "acpx", 1000);
  for (const n of [1, 10]) {
    const row = (metric: string) => ({
      scenario: "N concurrent runs",
      agent: "demo",
      metric,
      unit: "ms",
      n,
    });
    s.add(row("all idle ms"), "floor", 100 * n);
    s.add(row("all idle ms"), "mass", 150 * n);
    s.add(row("agentd RSS MB"), "mass", 80 + n);
    s.add(row("agent-run RSS per run MB"), "mass", 70);
    s.add(row("prompts answered"), "mass", n);
  }
  return s.rows();
}

Deno.test("targets: ratios of medians against their limits, with how far a miss is", () => {
  const t = evaluateTargets(_rows(), 10, ["demo"]);
  const warm = t.find((x) => x.target.startsWith("warm prompt over ARI"))!;
  assert.equal(warm.value, 1.05);
  assert.equal(warm.met, true);
  const wait = t.find((x) => x.target.startsWith("prompt --wait"))!;
  assert.equal(wait.value, 0.3);
  assert.equal(wait.met, true);
  const rss = t.find((x) => x.target.startsWith("agent-run RSS"))!;
  assert.equal(rss.met, false);
  assert.match(rss.missedBy!, /1\.17 × the limit/);
  assert.equal(t.find((x) => x.target.includes("every prompt answered"))!.met, true);
  assert.equal(t.find((x) => x.target.startsWith("events to"))!.missedBy, "not measured");
});

Deno.test("report: markdown rows with ratios, and an SVG with one polyline per series", () => {
  const rows = _rows();
  const md = reportMarkdown({
    date: "d",
    mode: "quick",
    machine: { cores: 2, deno: "2", os: "linux", load: [1, 1, 1] },
    notes: [],
    rows,
    targets: evaluateTargets(rows, 10, ["demo"]),
    extra: {},
  });
  assert.match(md, /\| warm prompt \| demo \| {2}\| whole turn ms \| 110\.0 \(p90/);
  assert.match(md, /mass\/floor 1\.05/);
  // A missed target carries its explanation; a met one does not.
  assert.match(
    md,
    /\| agent-run RSS ≤ 60 MB with 10 runs \| 70\.0 \| 60 \| no: .* \| a bare `deno run`/,
  );
  assert.match(md, /\| prompt --wait ≤ 0\.5 × acpx \(demo\) \| 0\.30 \| 0\.5 \| yes \| {2}\|/);
  const svg = concurrencyChart(rows);
  assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
  assert.equal(svg.match(/<polyline/g)?.length, 4);
});
