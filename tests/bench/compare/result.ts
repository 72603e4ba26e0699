/** The shape of a benchmark result: one row per metric, each way summarized. */
import { summarize, type Summary } from "./stats.ts";

export type Way = "floor" | "mass" | "massctl" | "acpx";
export const WAYS: readonly Way[] = ["floor", "mass", "massctl", "acpx"];

export interface Row {
  scenario: string;
  agent: string;
  metric: string;
  unit: string;
  /** Larger is better (throughput) rather than smaller (latency, memory). */
  higherIsBetter?: boolean;
  /** N of the concurrency scenarios. */
  n?: number;
  ways: Partial<Record<Way, Summary>>;
  /** Why a way is missing, if it is. */
  notes?: string[];
}

/** Collects samples per (row, way) while a scenario alternates between ways. */
export class Samples {
  readonly #rows = new Map<string, { row: Omit<Row, "ways">; values: Map<Way, number[]> }>();

  add(row: Omit<Row, "ways">, way: Way, value: number): void {
    const id = `${row.scenario}|${row.agent}|${row.metric}|${row.n ?? ""}`;
    let entry = this.#rows.get(id);
    if (!entry) {
      entry = { row, values: new Map() };
      this.#rows.set(id, entry);
    }
    const list = entry.values.get(way) ?? [];
    list.push(value);
    entry.values.set(way, list);
  }

  rows(): Row[] {
    return [...this.#rows.values()].map(({ row, values }) => ({
      ...row,
      ways: Object.fromEntries([...values].map(([w, v]) => [w, summarize(v)])),
    }));
  }
}
