/**
 * Reading a text file for `fs/read_text_file` without holding more than a bound in memory:
 * a whole file over the cap is refused up front; a `line`/`limit` slice is read as a stream
 * and only its own size counts, so an agent can page through a file of any size.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../specs/errors.ts";

/** What one `fs/read_text_file` answer may hold at most (10 MiB). */
export const MAX_READ_BYTES = 10 * 1024 * 1024;

export interface ReadCappedOptions {
  /** 1-based first line; with `limit`, as ACP defines them. */
  line?: number | null;
  /** Number of lines. */
  limit?: number | null;
  /** Default {@link MAX_READ_BYTES}. */
  maxBytes?: number;
  /** The path as the agent gave it, for messages. */
  label?: string;
}

/**
 * The text of `path` (lines `line` .. `line + limit - 1` when given), or -32602 when that is
 * over `maxBytes`.
 *
 * @example
 * ```ts
 * const head = await readTextCapped("/ws/big.log", { line: 1, limit: 100 });
 * ```
 */
export async function readTextCapped(path: string, opts: ReadCappedOptions = {}): Promise<string> {
  const max = opts.maxBytes ?? MAX_READ_BYTES;
  const label = opts.label ?? path;
  const whole = opts.line == null && opts.limit == null;
  if (whole) {
    const size = (await Deno.stat(path)).size;
    if (size > max) throw _tooBig(label, `the file is ${size} bytes`, max);
  }
  const start = Math.max(0, (opts.line ?? 1) - 1);
  const end = opts.limit == null ? Infinity : start + Math.max(0, opts.limit);
  const out: string[] = [];
  let bytes = 0;
  let index = 0;
  let partial = "";
  const encoder = new TextEncoder();
  const take = (line: string) => {
    if (index >= start && index < end) {
      bytes += encoder.encode(line).length + (out.length > 0 ? 1 : 0);
      if (bytes > max) {
        throw _tooBig(label, whole ? "the file grew" : "the lines asked for are", max);
      }
      out.push(line);
    }
    index++;
  };
  const file = await Deno.open(path, { read: true });
  try {
    const decoder = new TextDecoder();
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      partial += decoder.decode(buf.subarray(0, n), { stream: true });
      let nl: number;
      while (index < end && (nl = partial.indexOf("\n")) >= 0) {
        take(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
      if (index >= end) return out.join("\n");
      // One endless line: bounded like the answer itself.
      if (partial.length > max) {
        if (index >= start) throw _tooBig(label, "the line asked for is", max);
        partial = partial.slice(-1);
      }
    }
    take(partial + decoder.decode());
    return out.join("\n");
  } finally {
    file.close();
  }
}

function _tooBig(label: string, what: string, max: number): RpcError {
  return new RpcError(
    ErrorCode.InvalidParams,
    `${label}: ${what}, over the fs/read_text_file limit of ${max} bytes; ` +
      `read it in parts with line and limit`,
  );
}
