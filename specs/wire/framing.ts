/**
 * Newline-delimited JSON framing with a hard cap on frame size, so a peer that never sends
 * a newline cannot grow our buffer without bound.
 */

export const DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** A frame grew past `limit` bytes without ending; the reader gives up on the stream. */
export class FrameTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`frame exceeds ${limit} bytes`);
    this.name = "FrameTooLargeError";
  }
}

/** Splits a byte stream into lines; `push` returns the complete lines found so far. */
export class LineDecoder {
  #chunks: Uint8Array[] = [];
  #pending = 0;
  readonly #decoder = new TextDecoder();

  constructor(readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES) {}

  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      this.#append(chunk.subarray(start, i));
      lines.push(this.#take());
      start = i + 1;
    }
    if (start < chunk.length) this.#append(chunk.subarray(start));
    return lines;
  }

  /** Bytes buffered for the current, unterminated frame. */
  get pendingBytes(): number {
    return this.#pending;
  }

  #append(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.#pending + part.length > this.maxFrameBytes) {
      this.#chunks = [];
      this.#pending = 0;
      throw new FrameTooLargeError(this.maxFrameBytes);
    }
    // Copy: the reader reuses its buffer.
    this.#chunks.push(part.slice());
    this.#pending += part.length;
  }

  #take(): string {
    let line: string;
    if (this.#chunks.length === 1) {
      line = this.#decoder.decode(this.#chunks[0]);
    } else {
      const all = new Uint8Array(this.#pending);
      let off = 0;
      for (const c of this.#chunks) {
        all.set(c, off);
        off += c.length;
      }
      line = this.#decoder.decode(all);
    }
    this.#chunks = [];
    this.#pending = 0;
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }
}

const encoder = new TextEncoder();

/** `message` as one frame: its JSON and a newline. */
export function encodeFrame(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message) + "\n");
}

/** Writes every byte (Deno's `write` may be partial). */
export async function writeAll(w: { write(p: Uint8Array): Promise<number> }, data: Uint8Array) {
  let off = 0;
  while (off < data.length) off += await w.write(data.subarray(off));
}
