/**
 * Read-only access to a run's event log on disk, for runs that have no live agent-run.
 *
 * The agent-run owns the log (runner/events/event_log.ts): JSONL segments named
 * `events-<first seq, 12 digits>.jsonl` under `<bundle>/events/`. Opening it through
 * EventLog would repair its tail (a write), so agentd reads the files itself and simply
 * stops at a torn last line.
 */
import type { AgentRunEvent } from "../../specs/events.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import { LineDecoder } from "../../specs/wire/framing.ts";

const SEGMENT_RE = /^events-(\d{12,})\.jsonl$/;
/** Lines are single events; one larger than this is not something the agent-run writes. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

interface Segment {
  firstSeq: number;
  path: string;
}

async function listSegments(dir: string): Promise<Segment[]> {
  const out: Segment[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = e.isFile ? SEGMENT_RE.exec(e.name) : null;
      if (m) out.push({ firstSeq: Number(m[1]), path: `${dir}/${e.name}` });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return out.sort((a, b) => a.firstSeq - b.firstSeq);
}

function parse(line: string): AgentRunEvent | undefined {
  try {
    const v = JSON.parse(line);
    if (v && typeof v === "object" && Number.isSafeInteger(v.seq)) return v as AgentRunEvent;
  } catch {
    // a torn or damaged line: the caller stops here
  }
  return undefined;
}

/** A replay from before the oldest retained event (the same words as the agent-run's). */
export class EventsNotRetainedError extends InvalidParamsError {
  constructor(readonly fromSeq: number, readonly firstSeq: number) {
    super(`events before seq ${firstSeq} are no longer retained (fromSeq ${fromSeq})`);
    this.name = "EventsNotRetainedError";
  }
}

export interface ReadEventFilesOptions {
  /**
   * Start at the oldest retained event when `fromSeq` is older (default: throw
   * EventsNotRetainedError rather than skip events silently).
   */
  clamp?: boolean;
}

/**
 * Yields the events with seq >= fromSeq from the log directory `dir`, in order. Stops at
 * the first line that does not parse or breaks the sequence (a crash can tear the last line).
 */
export async function* readEventFiles(
  dir: string,
  fromSeq = 0,
  opts: ReadEventFilesOptions = {},
): AsyncGenerator<AgentRunEvent> {
  const segments = await listSegments(dir);
  const oldest = segments[0]?.firstSeq;
  if (oldest !== undefined && fromSeq < oldest && !opts.clamp) {
    throw new EventsNotRetainedError(fromSeq, oldest);
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
    const decoder = new LineDecoder(MAX_LINE_BYTES);
    try {
      for await (const chunk of file.readable) {
        for (const line of decoder.push(chunk)) {
          if (line === "") continue;
          const ev = parse(line);
          if (!ev || (expected !== undefined && ev.seq !== expected)) return;
          expected = ev.seq + 1;
          if (ev.seq >= fromSeq) yield ev;
        }
      }
    } finally {
      try {
        file.close();
      } catch {
        // readable already closed it
      }
    }
  }
}

/** Seq of the last complete event in the log, or -1. Reads the newest segment only. */
export async function lastEventSeq(dir: string): Promise<number> {
  const segments = await listSegments(dir);
  const newest = segments.at(-1);
  if (!newest) return -1;
  let last = newest.firstSeq - 1;
  for await (const ev of readEventFiles(dir, newest.firstSeq)) last = ev.seq;
  return last;
}

/** What the log directory holds: its size on disk and the oldest seq it can replay. */
export interface EventFileStats {
  bytes: number;
  segments: number;
  /** First seq of the oldest segment; undefined when there is none. */
  firstSeq?: number;
}

/** Sizes the segments from the directory listing and a stat each (no file is read). */
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

/** Throws EventsNotRetainedError (-32602) when `fromSeq` is older than the oldest segment. */
export async function assertRetained(dir: string, fromSeq: number | undefined): Promise<void> {
  if (fromSeq === undefined) return;
  const oldest = (await listSegments(dir))[0]?.firstSeq;
  if (oldest !== undefined && fromSeq < oldest) throw new EventsNotRetainedError(fromSeq, oldest);
}
