/**
 * What an event log directory holds, without reading its files.
 *
 * @module
 */
import { listSegments } from "./segments.ts";

/** The log directory's size on disk and the oldest seq it can replay. */
export interface EventFileStats {
  bytes: number;
  segments: number;
  /** First seq of the oldest segment; undefined when there is none. */
  firstSeq?: number;
}

/**
 * Sizes the segments of `dir` from the directory listing and a stat each (no file is read).
 *
 * @example
 * ```ts
 * import { eventFileStats } from "./event_file_stats.ts";
 * const { bytes, segments, firstSeq } = await eventFileStats("/tmp/run/events");
 * ```
 */
export async function eventFileStats(dir: string): Promise<EventFileStats> {
  const segments = await listSegments(dir);
  let bytes = 0;
  for (const seg of segments) {
    try {
      bytes += (await Deno.stat(seg.path)).size;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // removed by retention meanwhile
    }
  }
  const stats: EventFileStats = { bytes, segments: segments.length };
  if (segments[0]) stats.firstSeq = segments[0].firstSeq;
  return stats;
}
