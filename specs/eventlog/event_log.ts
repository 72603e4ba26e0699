/**
 * The event log of one AgentRun: JSONL in size-bounded segments under `<bundle>/events/`.
 *
 * Segment files are named `events-<seq of their first event, zero-padded to 12>.jsonl`, so the
 * segment holding any seq is found from the directory listing alone. Only the newest segment
 * is ever written. See specs/events.md.
 *
 * Durability: each event is one `write(2)` of one complete line, straight to the kernel (no
 * user-space buffering). A crash of this process (even SIGKILL) therefore loses nothing that
 * `append` resolved, and can leave at most a torn last line, which `open` cuts off. We do not
 * fsync per event (it would cap throughput at the disk's flush rate); segments are synced when
 * they are sealed and on `close`/`sync`, so a power loss can cost the unsynced tail only.
 *
 * The write is synchronous (`writeSync`): a page-cache write of one line takes microseconds,
 * about ten times less than the thread-pool round trip of an async write (see
 * tests/bench/event_bench.ts). `append` still returns a promise, so this can change.
 *
 * @module
 */
import type { AgentRunEvent } from "../events.ts";
import { InvalidParamsError } from "../errors.ts";
import { EventLogCorruptError, EventLogStateError, EventLogTruncatedError } from "./errors.ts";
import { readLines } from "./line_reader.ts";
import { parseEventLine } from "./parse_event_line.ts";
import { listSegments, type Segment, segmentFileName } from "./segments.ts";
import { repairTail } from "./tail_repair.ts";

export interface EventLogOptions {
  /** Start a new segment once the current one reaches this size; default 64 MiB. */
  segmentBytes?: number;
  /** Keep at most this many segments, removing the oldest; 0 (default) keeps all. */
  maxSegments?: number;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** How much the log holds on disk and which seqs it can still replay. */
export interface EventLogStats {
  /** Bytes in the retained segment files. */
  bytes: number;
  /** Retained segment files. */
  segments: number;
  /** Oldest seq still replayable (nextSeq when the log is empty). */
  firstSeq: number;
  /** Last seq; -1 when the log is empty. */
  lastSeq: number;
}

/**
 * The writer of one event log directory (only one process may hold it open), with a strict
 * replay of what it holds.
 *
 * @example
 * ```ts
 * import { EventLog } from "./event_log.ts";
 * const log = await EventLog.open("/tmp/run/events", { maxSegments: 4 });
 * await log.append({
 *   runId: "ws/a", seq: log.nextSeq, time: new Date().toISOString(), type: "notice", payload: {},
 * });
 * for await (const ev of log.read(0)) console.log(ev.seq, ev.type);
 * await log.close();
 * ```
 */
export class EventLog {
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #maxSegments: number;
  readonly #segments: Segment[];
  #file: Deno.FsFile | undefined;
  /** Size of the newest segment. */
  #size: number;
  /** Total size of the sealed (not newest) segments. */
  #sealedBytes: number;
  #nextSeq: number;
  #closed = false;
  #broken: string | undefined;
  /** Serialises appends, so a caller that forgets to await cannot interleave writes. */
  #tail: Promise<unknown> = Promise.resolve();

  private constructor(
    dir: string,
    opts: Required<EventLogOptions>,
    segments: Segment[],
    size: number,
    nextSeq: number,
  ) {
    this.#dir = dir;
    this.#segmentBytes = opts.segmentBytes;
    this.#maxSegments = opts.maxSegments;
    this.#segments = segments;
    this.#size = size;
    this.#sealedBytes = segments.slice(0, -1).reduce((sum, s) => sum + (s.size ?? 0), 0);
    this.#nextSeq = nextSeq;
  }

  /** Opens (creating if needed) the log in `dir`, cutting off a torn or invalid last line. */
  static async open(dir: string, opts: EventLogOptions = {}): Promise<EventLog> {
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    const maxSegments = opts.maxSegments ?? 0;
    if (!(segmentBytes > 0)) throw new RangeError("segmentBytes must be > 0");
    if (!Number.isInteger(maxSegments) || maxSegments < 0) {
      throw new RangeError("maxSegments must be an integer >= 0");
    }
    await Deno.mkdir(dir, { recursive: true });
    const segments = await listSegments(dir);
    for (const seg of segments.slice(0, -1)) seg.size = await fileSize(seg.path);
    let size = 0;
    let nextSeq = 0;
    const newest = segments.at(-1);
    if (newest) {
      const tail = await repairTail(newest.path);
      size = tail.size;
      if (tail.lastSeq === undefined) {
        nextSeq = newest.firstSeq;
      } else if (tail.lastSeq < newest.firstSeq) {
        throw new EventLogCorruptError(
          newest.path,
          tail.lastOffset,
          `last seq ${tail.lastSeq} precedes the segment's first seq ${newest.firstSeq}`,
        );
      } else {
        nextSeq = tail.lastSeq + 1;
      }
    }
    const log = new EventLog(dir, { segmentBytes, maxSegments }, segments, size, nextSeq);
    await log.#enforceRetention(); // maxSegments may have been lowered since the last run
    return log;
  }

  get dir(): string {
    return this.#dir;
  }

  /** Seq the next appended event must carry. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Seq of the last event; -1 when the log is empty. */
  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Seq of the oldest retained event (equals nextSeq when nothing is retained). */
  get firstSeq(): number {
    return this.#segments[0]?.firstSeq ?? this.#nextSeq;
  }

  /** Segment file names, oldest first. */
  get segmentFiles(): string[] {
    return this.#segments.map((s) => segmentFileName(s.firstSeq));
  }

  /** Bytes on disk, segment count and replayable range; kept in memory, so cheap. */
  stats(): EventLogStats {
    return {
      bytes: this.#sealedBytes + (this.#segments.length > 0 ? this.#size : 0),
      segments: this.#segments.length,
      firstSeq: this.firstSeq,
      lastSeq: this.lastSeq,
    };
  }

  /**
   * Appends one event; `ev.seq` must equal `nextSeq`. On failure the segment is cut back to
   * its previous size and the seq is not consumed.
   */
  append(ev: AgentRunEvent): Promise<void> {
    const run = this.#tail.then(() => this.#append(ev));
    this.#tail = run.catch(() => {});
    return run;
  }

  async #append(ev: AgentRunEvent): Promise<void> {
    if (this.#closed) throw new EventLogStateError("event log is closed");
    if (this.#broken) throw new EventLogStateError(`event log unusable: ${this.#broken}`);
    if (ev.seq !== this.#nextSeq) {
      throw new EventLogStateError(
        `append out of sequence: seq ${ev.seq}, expected ${this.#nextSeq}`,
      );
    }
    const line = encoder.encode(JSON.stringify(ev) + "\n");
    const file = await this.#writable(ev.seq);
    const before = this.#size;
    try {
      writeAll(file, line);
    } catch (err) {
      try {
        await file.truncate(before);
      } catch (truncErr) {
        // A partial line we cannot remove would corrupt every later append.
        this.#broken = `write failed and could not be undone: ${String(truncErr)}`;
      }
      throw err;
    }
    this.#size = before + line.length;
    this.#nextSeq = ev.seq + 1;
  }

  /** The file to append `seq` to, sealing the current segment when it is full. */
  async #writable(seq: number): Promise<Deno.FsFile> {
    if (this.#file && this.#size >= this.#segmentBytes) {
      const sealed = this.#file;
      this.#file = undefined;
      try {
        await sealed.syncData();
      } finally {
        sealed.close();
      }
    }
    if (this.#file) return this.#file;
    const newest = this.#segments.at(-1);
    if (newest && this.#size < this.#segmentBytes) {
      this.#file = await Deno.open(newest.path, { write: true, append: true });
      return this.#file;
    }
    const seg = { firstSeq: seq, path: `${this.#dir}/${segmentFileName(seq)}` };
    this.#file = await Deno.open(seg.path, { write: true, append: true, createNew: true });
    if (newest) {
      newest.size = this.#size;
      this.#sealedBytes += this.#size;
    }
    this.#segments.push(seg);
    this.#size = 0;
    await this.#enforceRetention();
    return this.#file;
  }

  async #enforceRetention(): Promise<void> {
    while (this.#maxSegments > 0 && this.#segments.length > this.#maxSegments) {
      const old = this.#segments.shift()!;
      this.#sealedBytes -= old.size ?? 0;
      try {
        await Deno.remove(old.path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  }

  /**
   * Streams events with `fromSeq <= seq < toSeqExclusive` (default: up to the events appended
   * when `read` is called). Throws EventLogTruncatedError when `fromSeq` was removed by
   * retention, EventLogCorruptError on any invalid line or seq gap.
   */
  read(fromSeq: number, toSeqExclusive?: number): AsyncIterable<AgentRunEvent> {
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) {
      throw new InvalidParamsError("fromSeq must be an integer >= 0");
    }
    // Snapshot now: later appends (and a write in flight) are outside this read.
    const end = Math.min(toSeqExclusive ?? Infinity, this.#nextSeq);
    return replay(this.#segments.slice(), this.#size, fromSeq, end);
  }

  /** Flushes the current segment to disk. */
  async sync(): Promise<void> {
    await this.#tail;
    await this.#file?.syncData();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    const file = this.#file;
    this.#file = undefined;
    if (!file) return;
    try {
      await file.syncData();
    } finally {
      file.close();
    }
  }
}

const encoder = new TextEncoder();

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
}

function writeAll(file: Deno.FsFile, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += file.writeSync(data.subarray(off));
}

async function* replay(
  segments: Segment[],
  newestLimit: number,
  fromSeq: number,
  end: number,
): AsyncGenerator<AgentRunEvent> {
  if (fromSeq >= end) return;
  const first = segments[0];
  if (!first || fromSeq < first.firstSeq) {
    throw new EventLogTruncatedError(fromSeq, first?.firstSeq ?? end);
  }
  let i = segments.findLastIndex((s) => s.firstSeq <= fromSeq);
  let expected = segments[i].firstSeq;
  for (; i < segments.length && expected < end; i++) {
    const seg = segments[i];
    if (seg.firstSeq !== expected) {
      throw new EventLogCorruptError(
        seg.path,
        0,
        `segment starts at ${seg.firstSeq}, expected ${expected}`,
        expected,
      );
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(seg.path, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) throw new EventLogTruncatedError(fromSeq, expected);
      throw err;
    }
    try {
      const limit = i === segments.length - 1 ? newestLimit : undefined;
      for await (const line of readLines(file, { limit })) {
        if (!line.terminated) {
          throw new EventLogCorruptError(seg.path, line.offset, "unterminated line", expected);
        }
        const ev = parseEventLine(line.bytes);
        if (typeof ev === "string" || ev.seq !== expected) {
          // Damage before fromSeq is not what was asked for (seeking reads from the segment's
          // start): step over it as long as the sequence picks up again by fromSeq.
          if (expected < fromSeq && (typeof ev === "string" || ev.seq <= fromSeq)) {
            if (typeof ev === "string") continue;
            expected = ev.seq;
          } else {
            throw new EventLogCorruptError(
              seg.path,
              line.offset,
              typeof ev === "string" ? ev : `seq ${ev.seq}, expected ${expected}`,
              Math.max(expected, fromSeq),
            );
          }
        }
        expected++;
        if (ev.seq < fromSeq) continue;
        if (ev.seq >= end) return;
        yield ev;
      }
    } finally {
      file.close();
    }
  }
  if (expected < end) {
    const last = segments.at(-1)!;
    throw new EventLogCorruptError(
      last.path,
      newestLimit,
      `log ends before seq ${expected}`,
      expected,
    );
  }
}
