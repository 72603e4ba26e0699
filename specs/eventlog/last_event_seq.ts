/**
 * The end of an event log, from its files.
 *
 * @module
 */
import { EventLogCorruptError } from "./errors.ts";
import { readEventFiles } from "./read_event_files.ts";
import { listSegments } from "./segments.ts";

/**
 * Seq of the last complete event in the log directory `dir`, or -1 when there is none.
 * Reads the newest segment only.
 *
 * @example
 * ```ts
 * import { lastEventSeq } from "./last_event_seq.ts";
 * const next = (await lastEventSeq("/tmp/run/events")) + 1;
 * ```
 */
export async function lastEventSeq(dir: string): Promise<number> {
  const newest = (await listSegments(dir)).at(-1);
  if (!newest) return -1;
  let last = newest.firstSeq - 1;
  try {
    for await (const ev of readEventFiles(dir, newest.firstSeq)) last = ev.seq;
  } catch (err) {
    // Damage in the middle: the end is still the last event that can be read.
    if (!(err instanceof EventLogCorruptError)) throw err;
  }
  return last;
}
