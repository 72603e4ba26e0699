/**
 * Re-renders a report's markdown and SVG from its JSON, without measuring again:
 *   deno run -A tests/bench/compare/render.ts [tests/bench/results/latest.json]
 */
import { fileURLToPath } from "node:url";
import { concurrencyChart } from "./chart_svg.ts";
import { type Report, reportMarkdown } from "./report_md.ts";

const file = Deno.args[0] ?? fileURLToPath(new URL("../results/latest.json", import.meta.url));
const report: Report = JSON.parse(await Deno.readTextFile(file));
const base = file.replace(/\.json$/, "");
const name = base.slice(base.lastIndexOf("/") + 1);
await Deno.writeTextFile(`${base}.md`, reportMarkdown(report).replace("latest.svg", `${name}.svg`));
await Deno.writeTextFile(`${base}.svg`, concurrencyChart(report.rows));
console.log(`wrote ${base}.md and ${base}.svg`);
