/**
 * Crash repair of a log's newest segment, done by its writer when it opens the log.
 *
 * @module
 */
import { EventLogCorruptError } from "./errors.ts";
import { parseEventLine } from "./parse_event_line.ts";

/** What is left of the newest segment after {@linkcode repairTail}. */
export interface Tail {
  /** Size after repair. */
  size: number;
  /** Seq of the last valid event; undefined when the segment is empty. */
  lastSeq?: number;
  lastOffset: number;
}

/**
 * Cuts a torn (unterminated) fragment and then at most one invalid complete line off the end
 * of `path`. More damage than that is not what a crash leaves behind: it is reported, not cut.
 */
export async function repairTail(path: string): Promise<Tail> {
  const file = await Deno.open(path, { read: true, write: true });
  try {
    const original = (await file.stat()).size;
    let size = (await lastNewline(file, original)) + 1;
    for (let cut = 0; size > 0; cut++) {
      const start = (await lastNewline(file, size - 1)) + 1;
      const bytes = await readAt(file, start, size - 1 - start);
      const ev = parseEventLine(bytes);
      if (typeof ev !== "string") {
        if (size !== original) await truncate(file, size);
        return { size, lastSeq: ev.seq, lastOffset: start };
      }
      if (cut === 1) throw new EventLogCorruptError(path, start, ev);
      size = start;
    }
    if (original !== 0) await truncate(file, 0);
    return { size: 0, lastOffset: 0 };
  } finally {
    file.close();
  }
}

async function truncate(file: Deno.FsFile, size: number): Promise<void> {
  await file.truncate(size);
  await file.syncData();
}

/** Offset of the last newline before `end`, or -1. Scans backwards in fixed-size chunks. */
async function lastNewline(file: Deno.FsFile, end: number): Promise<number> {
  const chunk = 64 * 1024;
  let hi = end;
  while (hi > 0) {
    const lo = Math.max(0, hi - chunk);
    const buf = await readAt(file, lo, hi - lo);
    const i = buf.lastIndexOf(10);
    if (i !== -1) return lo + i;
    hi = lo;
  }
  return -1;
}

async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  let off = 0;
  while (off < length) {
    const n = await file.read(buf.subarray(off));
    if (n === null) break;
    off += n;
  }
  return buf.subarray(0, off);
}
