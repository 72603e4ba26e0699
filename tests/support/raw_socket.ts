/** Raw bytes in, newline-delimited JSON replies out, on a Unix socket: for framing tests. */

export interface ExchangeResult {
  /** Each reply line, parsed. */
  replies: unknown[];
  /** The server closed the connection before `count` replies arrived. */
  closed: boolean;
}

export interface ExchangeOptions {
  /** Shut down our write side after sending (the server sees EOF, we still read). */
  halfClose?: boolean;
  /** Give up reading after this long (the replies seen so far are returned). */
  timeoutMs?: number;
}

/** Sends `data` on a fresh connection and reads until `count` replies, close or timeout. */
export async function exchange(
  path: string,
  data: string | Uint8Array,
  count: number,
  opts: ExchangeOptions = {},
): Promise<ExchangeResult> {
  const conn = await Deno.connect({ transport: "unix", path });
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const writing = (async () => {
    let off = 0;
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    if (opts.halfClose) await conn.closeWrite();
  })().catch(() => {});
  const replies: unknown[] = [];
  let closed = false;
  let buf = "";
  const dec = new TextDecoder();
  const chunk = new Uint8Array(65536);
  const end = Date.now() + (opts.timeoutMs ?? 5_000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    while (replies.length < count) {
      const left = end - Date.now();
      if (left <= 0) break;
      const n = await Promise.race([
        conn.read(chunk).catch(() => null),
        new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left))),
      ]).finally(() => clearTimeout(timer));
      if (n === "timeout") break;
      if (n === null) {
        closed = true;
        break;
      }
      buf += dec.decode(chunk.subarray(0, n), { stream: true });
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        replies.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  } finally {
    conn.close();
    await writing;
  }
  return { replies, closed };
}
