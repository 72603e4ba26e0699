/**
 * A dependency-free SVG chart: two panels against N (concurrent runs), latency on the left
 * and memory on the right, one polyline per series.
 */
import type { Row, Way } from "./result.ts";

export interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

function _esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function _panel(title: string, unit: string, series: Series[], x0: number): string {
  const w = 420, h = 260, left = 60, top = 30, pw = w - left - 20, ph = h - top - 90;
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ymax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.1;
  const xmax = Math.max(1, ...xs);
  const X = (v: number) => x0 + left + (v / xmax) * pw;
  const Y = (v: number) => top + ph - (v / ymax) * ph;
  const parts = [
    `<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-weight="bold">${_esc(title)}</text>`,
    `<line x1="${X(0)}" y1="${Y(0)}" x2="${X(xmax)}" y2="${Y(0)}" stroke="#333"/>`,
    `<line x1="${X(0)}" y1="${Y(0)}" x2="${X(0)}" y2="${Y(ymax)}" stroke="#333"/>`,
    `<text x="${x0 + 12}" y="${top + ph / 2}" transform="rotate(-90 ${x0 + 12} ${
      top + ph / 2
    })" text-anchor="middle">${_esc(unit)}</text>`,
    `<text x="${X(xmax / 2)}" y="${Y(0) + 32}" text-anchor="middle">N concurrent runs</text>`,
  ];
  for (const x of xs) {
    parts.push(`<text x="${X(x)}" y="${Y(0) + 15}" text-anchor="middle">${x}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = (ymax / 4) * i;
    parts.push(`<text x="${X(0) - 5}" y="${Y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`);
    parts.push(`<line x1="${X(0)}" y1="${Y(v)}" x2="${X(xmax)}" y2="${Y(v)}" stroke="#eee"/>`);
  }
  series.forEach((s, i) => {
    const pts = s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
    for (const [x, y] of s.points) {
      parts.push(
        `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.color}"/>`,
      );
    }
    const ly = Y(0) + 48 + Math.floor(i / 2) * 14;
    const lx = x0 + left + (i % 2) * 180;
    parts.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${s.color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly - 3}">${_esc(s.label)}</text>`);
  });
  return parts.join("\n");
}

function _series(rows: Row[], picks: [string, Way][]): Series[] {
  return picks.map(([metric, way], i) => ({
    label: `${way}: ${metric}`,
    color: COLORS[i % COLORS.length],
    points: rows
      .filter((r) => r.scenario === "N concurrent runs" && r.metric === metric && r.ways[way])
      .map((r) => [r.n!, r.ways[way]!.median] as [number, number])
      .filter(([, y]) => Number.isFinite(y))
      .sort((a, b) => a[0] - b[0]),
  })).filter((s) => s.points.length > 0);
}

/**
 * The chart of the concurrency rows as an SVG document.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("chart.svg", concurrencyChart(rows));
 * ```
 */
export function concurrencyChart(rows: Row[]): string {
  const latency = _series(rows, [
    ["all idle ms", "floor"],
    ["all idle ms", "mass"],
    ["prompt to all, all answered ms", "floor"],
    ["prompt to all, all answered ms", "mass"],
    ["all idle ms", "acpx"],
    ["prompt to all, all answered ms", "acpx"],
  ]);
  const memory = _series(rows, [
    ["agentd RSS MB", "mass"],
    ["agent-run RSS per run MB", "mass"],
    ["agent RSS per run MB", "mass"],
    ["agent RSS per run MB", "floor"],
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="860" height="300" font-family="sans-serif" font-size="11">`,
    `<rect width="860" height="300" fill="white"/>`,
    _panel("Latency against N (median)", "ms", latency, 0),
    _panel("Memory against N (median)", "MB", memory, 430),
    `</svg>`,
    "",
  ].join("\n");
}
