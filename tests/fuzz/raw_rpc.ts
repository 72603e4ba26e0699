/**
 * A JSON-RPC client for fuzzing: sends any value as `params` (or none at all), one request
 * at a time on one Unix-socket connection, and returns the raw reply object. Notifications
 * (watch events the fuzzer subscribed itself to) are skipped.
 */
import { LineDecoder } from "../../specs/wire/framing.ts";
import { deadline } from "../support/wait.ts";

export class RawRpc {
  #id = 0;
  #lines: string[] = [];
  readonly #dec = new LineDecoder(64 * 1024 * 1024);
  readonly #buf = new Uint8Array(256 * 1024);

  private constructor(readonly conn: Deno.UnixConn) {}

  static async connect(path: string): Promise<RawRpc> {
    return new RawRpc(await Deno.connect({ transport: "unix", path }));
  }

  /** One request; `params === undefined` leaves the member out. Rejects after 10 s. */
  async call(method: string, params: unknown): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    const msg: Record<string, unknown> = { jsonrpc: "2.0", id, method };
    if (params !== undefined) msg.params = params;
    const bytes = new TextEncoder().encode(JSON.stringify(msg) + "\n");
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
    return await deadline(this.#replyTo(id), 10_000, `reply to ${method} #${id}`);
  }

  async #replyTo(id: number): Promise<Record<string, unknown>> {
    while (true) {
      while (this.#lines.length) {
        const msg = JSON.parse(this.#lines.shift()!);
        if (msg && typeof msg === "object" && msg.id === id) return msg;
      }
      const n = await this.conn.read(this.#buf);
      if (n === null) throw new Error("connection closed");
      this.#lines.push(...this.#dec.push(this.#buf.subarray(0, n)));
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed already
    }
  }
}

/** Why `reply` is neither a result nor a well-formed JSON-RPC error, or undefined. */
export function replyProblem(reply: Record<string, unknown>): string | undefined {
  if (reply.jsonrpc !== "2.0") return "no jsonrpc 2.0";
  if ("result" in reply) return "error" in reply ? "both result and error" : undefined;
  const err = reply.error as { code?: unknown; message?: unknown } | undefined;
  if (!err || typeof err !== "object") return "neither result nor error";
  if (!Number.isInteger(err.code)) {
    return `error code ${JSON.stringify(err.code)} is not an integer`;
  }
  if (typeof err.message !== "string" || err.message.length === 0) return "error without message";
  if (/\n\s+at /.test(err.message)) {
    return `stack trace in the message: ${err.message.slice(0, 200)}`;
  }
  if (err.code === -32603) return `internal error: ${err.message.slice(0, 200)}`;
  return undefined;
}
