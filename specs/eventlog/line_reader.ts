/**
 * Streaming line reader for files: fixed-size reads, no limit on line length.
 *
 * A line longer than one read is assembled from parts, so memory grows with the longest
 * line, never with the file.
 *
 * @module
 */

/** One line of a file, without its trailing newline. */
export interface FileLine {
  /** Valid only until the iterator is advanced: copy it to keep it. */
  bytes: Uint8Array;
  /** Byte offset of the line's first byte in the file. */
  offset: number;
  /** False for a last fragment that has no newline (a torn line). */
  terminated: boolean;
}

export interface ReadLinesOptions {
  /** Stop after this many bytes of the file (exclusive end offset); default: end of file. */
  limit?: number;
  /** Bytes per read; default 256 KiB. */
  chunkSize?: number;
}

const NEWLINE = 10;

/**
 * Yields the lines of `file` from its current position (expected 0) up to `limit`.
 *
 * @example
 * ```ts
 * import { readLines } from "./line_reader.ts";
 * using file = await Deno.open("/tmp/run/events/events-000000000000.jsonl");
 * for await (const line of readLines(file)) {
 *   if (!line.terminated) break; // a torn last line
 *   console.log(line.offset, line.bytes.length);
 * }
 * ```
 */
export async function* readLines(
  file: Deno.FsFile,
  opts: ReadLinesOptions = {},
): AsyncGenerator<FileLine> {
  const chunkSize = opts.chunkSize ?? 256 * 1024;
  const limit = opts.limit ?? Infinity;
  const buf = new Uint8Array(chunkSize);
  let parts: Uint8Array[] = [];
  let partsLen = 0;
  let pos = 0;
  let lineStart = 0;
  while (pos < limit) {
    const want = Math.min(chunkSize, limit - pos);
    const n = await file.read(want === chunkSize ? buf : buf.subarray(0, want));
    if (n === null) break;
    const chunk = buf.subarray(0, n);
    let i = 0;
    while (i < n) {
      const nl = chunk.indexOf(NEWLINE, i);
      if (nl === -1) {
        // The buffer is reused by the next read: keep a copy.
        parts.push(chunk.slice(i));
        partsLen += n - i;
        break;
      }
      let bytes: Uint8Array = chunk.subarray(i, nl);
      if (partsLen > 0) {
        parts.push(bytes);
        bytes = concat(parts, partsLen + bytes.length);
        parts = [];
        partsLen = 0;
      }
      yield { bytes, offset: lineStart, terminated: true };
      lineStart += bytes.length + 1;
      i = nl + 1;
    }
    pos += n;
  }
  if (partsLen > 0) yield { bytes: concat(parts, partsLen), offset: lineStart, terminated: false };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
