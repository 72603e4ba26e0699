/**
 * Segment files of an event log: `events-<seq of their first event, zero-padded to 12>.jsonl`,
 * so the segment holding any seq is found from the directory listing alone (specs/events.md).
 *
 * @module
 */

/** One segment file of a log directory. */
export interface Segment {
  firstSeq: number;
  path: string;
  /** Size once sealed (the writer tracks the newest segment's size itself). */
  size?: number;
}

const SEGMENT_RE = /^events-(\d{12,})\.jsonl$/;

/**
 * File name of the segment whose first event has `firstSeq`.
 *
 * @example
 * ```ts
 * import { segmentFileName } from "./segments.ts";
 * segmentFileName(42); // "events-000000000042.jsonl"
 * ```
 */
export function segmentFileName(firstSeq: number): string {
  return `events-${String(firstSeq).padStart(12, "0")}.jsonl`;
}

/**
 * The segment files in `dir`, oldest first; other files are ignored and a missing directory
 * has none.
 *
 * @example
 * ```ts
 * import { listSegments } from "./segments.ts";
 * const segments = await listSegments("/tmp/run/events");
 * console.log(segments.map((s) => s.firstSeq));
 * ```
 */
export async function listSegments(dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const m = entry.isFile ? SEGMENT_RE.exec(entry.name) : null;
      if (m) segments.push({ firstSeq: Number(m[1]), path: `${dir}/${entry.name}` });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}
