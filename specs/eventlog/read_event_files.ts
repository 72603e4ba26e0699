/**
 * Read-only replay of an event log directory, for readers that do not own the log: agentd
 * reading a run that has no live agent-run, or a log another process is still appending to.
 * Opening it through EventLog would repair its tail (a write), so this reads the files as
 * they are and simply stops at a torn last line.
 *
 * @module
 */
import type { AgentRunEvent } from "../events.ts";
import { EventLogTruncatedError } from "./errors.ts";
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
 * Yields the events with seq >= fromSeq from the log directory `dir`, in order. Stops at the
 * first line that does not parse or breaks the sequence (a crash can tear the last line); a
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
  for (const seg of segments.slice(start)) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(seg.path, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // removed by retention
      throw err;
    }
    try {
      for await (const line of readLines(file)) {
        if (!line.terminated) return; // torn by a crash, or still being written
        if (line.bytes.length === 0) continue;
        const ev = parseEventLine(line.bytes);
        if (typeof ev === "string" || (expected !== undefined && ev.seq !== expected)) return;
        expected = ev.seq + 1;
        if (ev.seq >= fromSeq) yield ev;
      }
    } finally {
      file.close();
    }
  }
}
