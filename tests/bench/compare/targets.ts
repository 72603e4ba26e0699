/**
 * The targets of issue #11, each a ratio between ways measured in the same run (or a bound
 * on a mass-only number), evaluated on the rows of one benchmark run.
 */
import type { Row, Way } from "./result.ts";
import { ratio } from "./stats.ts";

export interface TargetResult {
  target: string;
  /** The measured value (a ratio, MB, events/s, ms or a count). */
  value: number;
  limit: number;
  met: boolean;
  /** How far off, in words, when missed ("1.35 × the limit"). */
  missedBy?: string;
}

function _median(
  rows: Row[],
  scenario: string,
  agent: string,
  metric: string,
  way: Way,
  n?: number,
) {
  return rows.find((r) =>
    r.scenario === scenario && r.agent === agent && r.metric === metric &&
    (n === undefined || r.n === n)
  )?.ways[way]?.median;
}

function _check(target: string, value: number, limit: number, atMost: boolean): TargetResult {
  const met = Number.isFinite(value) && (atMost ? value <= limit : value >= limit);
  const res: TargetResult = { target, value: Math.round(value * 100) / 100, limit, met };
  if (!met && Number.isFinite(value)) {
    res.missedBy = atMost
      ? `${ratio(value, limit)} × the limit (+${Math.round((value - limit) * 100) / 100})`
      : `${ratio(value, limit)} × the limit (${Math.round((value - limit) * 100) / 100})`;
  }
  if (!Number.isFinite(value)) res.missedBy = "not measured";
  return res;
}

/** Every target of the issue, on `rows`; `maxN` is the largest N of the concurrency runs. */
export function evaluateTargets(rows: Row[], maxN: number, agents: string[]): TargetResult[] {
  const out: TargetResult[] = [];
  for (const a of agents) {
    const m = (metric: string, way: Way) => _median(rows, "warm prompt", a, metric, way);
    out.push(_check(
      `warm prompt over ARI ≤ 1.10 × floor (${a}, whole turn)`,
      ratio(m("whole turn ms", "mass"), m("whole turn ms", "floor")),
      1.1,
      true,
    ));
    out.push(_check(
      `prompt --wait ≤ 0.5 × acpx (${a})`,
      ratio(m("whole turn ms", "massctl"), m("whole turn ms", "acpx")),
      0.5,
      true,
    ));
    const c = (way: Way) => _median(rows, "create → idle", a, "ms", way);
    out.push(_check(`create → idle ≤ 2 × floor (${a})`, ratio(c("mass"), c("floor")), 2, true));
  }
  const n = (metric: string) =>
    _median(rows, "N concurrent runs", "demo", metric, "mass", maxN) ?? NaN;
  out.push(
    _check(`agent-run RSS ≤ 60 MB with ${maxN} runs`, n("agent-run RSS per run MB"), 60, true),
  );
  out.push(_check(`agentd RSS ≤ 150 MB with ${maxN} runs`, n("agentd RSS MB"), 150, true));
  out.push(_check(
    `${maxN} concurrent demo runs, every prompt answered`,
    n("prompts answered"),
    maxN,
    false,
  ));
  const long = rows.find((r) => r.scenario.endsWith("-chunk turn") && r.agent === "test");
  out.push(
    _check("events to an ARI watcher ≥ 50k/s", long?.ways.mass?.median ?? NaN, 50_000, false),
  );
  out.push(_check(
    `recovery of ${maxN} live runs ≤ 1 s`,
    n("recovery after kill -9 of agentd ms"),
    1_000,
    true,
  ));
  return out;
}
