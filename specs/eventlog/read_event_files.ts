/**
 * Read-only replay of an event log directory, for readers that do not own the log: agentd
 * reading a run that has no live agent-run, or a log another process is still appending to.
 * Opening it through EventLog would repair its tail (a write), so this reads the files as
 * they are and simply stops at a torn last line.
 *
 * @module
 */
import type { AgentRunEvent } from "../events.ts";
import { EventLogCorruptError, EventLogTruncatedError } from "./errors.ts";
import { readLines } from "./line_reader.ts";
import { parseEventLine } from "./parse_event_line.ts";
import { listSegments } from "./segments.ts";

/** Options of {@linkcode readEventFiles}. */
export interface ReadEventFilesOptions {
  /**
   * Start at the oldest retained event when `fromSeq` is older (default: throw
   * EventLogTruncatedError rather than skip events silently).
   */
  clamp?: boolean;
}

/**
 * Yields the events with seq >= fromSeq from the log directory `dir`, in order. Stops quietly
 * at a torn or invalid *last* line (what a crash leaves); a line that does not parse or breaks
 * the sequence anywhere else throws EventLogCorruptError (with the seq reading stopped at). A
 * missing directory holds no events.
 *
 * @example
 * ```ts
 * import { readEventFiles } from "./read_event_files.ts";
 * for await (const ev of readEventFiles("/tmp/run/events", 0, { clamp: true })) {
 *   console.log(ev.seq, ev.type);
 * }
 * ```
 */
export async function* readEventFiles(
  dir: string,
  fromSeq = 0,
  opts: ReadEventFilesOptions = {},
): AsyncGenerator<AgentRunEvent> {
  const segments = await listSegments(dir);
  const oldest = segments[0]?.firstSeq;
  if (oldest !== undefined && fromSeq < oldest && !opts.clamp) {
    throw new EventLogTruncatedError(fromSeq, oldest);
  }
  let start = segments.findLastIndex((s) => s.firstSeq <= fromSeq);
  if (start < 0) start = 0;
  let expected: number | undefined;
  const rest = segments.slice(start);
  for (const [i, seg] of rest.entries()) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(seg.path, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // removed by retention
      throw err;
    }
    try {
      let bad: { offset: number; reason: string } | undefined;
      let skipped: { offset: number; reason: string } | undefined;
      for await (const line of readLines(file)) {
        if (bad) {
          // Something follows the bad line: not a torn end but damage in the middle.
          throw new EventLogCorruptError(seg.path, bad.offset, bad.reason, expected);
        }
        if (!line.terminated) return; // torn by a crash, or still being written
        if (line.bytes.length === 0) continue;
        const ev = parseEventLine(line.bytes);
        if (typeof ev === "string" || (expected !== undefined && ev.seq !== expected)) {
          const reason = typeof ev === "string" ? ev : `seq ${ev.seq}, expected ${expected}`;
          if (expected === undefined || expected >= fromSeq) {
            bad = { offset: line.offset, reason };
            continue;
          }
          // Damage before fromSeq (seeking reads from the segment's start): step over it if
          // the sequence picks up again by fromSeq.
          if (typeof ev === "string") {
            skipped = { offset: line.offset, reason };
            continue;
          }
          if (ev.seq > fromSeq) {
            throw new EventLogCorruptError(seg.path, line.offset, reason, fromSeq);
          }
        }
        if (skipped && ev.seq > fromSeq) {
          throw new EventLogCorruptError(seg.path, skipped.offset, skipped.reason, fromSeq);
        }
        skipped = undefined;
        expected = ev.seq + 1;
        if (ev.seq >= fromSeq) yield ev;
      }
      if (bad && i < rest.length - 1) {
        throw new EventLogCorruptError(seg.path, bad.offset, bad.reason, expected);
      }
      if (bad) return; // the log's last line: what a crash leaves, cut by the writer's repair
    } finally {
      file.close();
    }
  }
}
