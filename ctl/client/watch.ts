/**
 * Event watching over ARI without holding a client: one connection per attempt, resuming
 * from the last seq received after a disconnect.
 */
import type { AriMethodName, AriNotificationName } from "../../specs/ari_methods.ts";
import { ErrorCode, errorCode, RpcError } from "../../specs/errors.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { delay } from "../../specs/lib/delay.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import type { AriClientOptions, WatchOptions } from "./options.ts";
import { toAriError } from "./errors.ts";

// Wire names as checked literals: importing the method table's values would load zod's
// schemas into every client, which `massctl … get` should not pay for.
const AGENTRUN_WATCH = "agentrun/watch" satisfies AriMethodName;
const AGENTRUN_EVENT = "agentrun/event" satisfies AriNotificationName;
const AGENTRUN_WATCH_ERROR = "agentrun/watch_error" satisfies AriNotificationName;

/** Error codes after which retrying a watch cannot help. */
const PERMANENT_WATCH_CODES = new Set<number>([ErrorCode.InvalidParams, ErrorCode.MethodNotFound]);

/**
 * Watch without an existing client (one connection per attempt).
 *
 * @example
 * ```ts
 * import { watchRun } from "../../mod.ts";
 * const signal = AbortSignal.timeout(60_000);
 * for await (const ev of watchRun("/home/me/.mass/mass.sock", { workspace: "w", name: "a", fromSeq: 0, signal })) {
 *   console.log(ev.seq, ev.type);
 *   if (ev.type === "turn_end") break;
 * }
 * ```
 */
export async function* watchRun(
  socketPath: string,
  opts: WatchOptions,
  clientOpts: AriClientOptions = {},
): AsyncGenerator<AgentRunEvent> {
  let next = opts.fromSeq;
  let failures = 0;
  let backoff = 200;
  while (!opts.signal?.aborted) {
    let peer: RpcPeer | undefined;
    const queue = new EventQueue();
    try {
      peer = await dialUnix(socketPath, {
        requestTimeoutMs: clientOpts.requestTimeoutMs ?? 30_000,
        connectTimeoutMs: clientOpts.connectTimeoutMs,
        setup: (p) =>
          p.onNotification(AGENTRUN_EVENT, (params) => queue.push(params))
            .onNotification(AGENTRUN_WATCH_ERROR, (params) => queue.fail(params)),
      });
      const closeOnAbort = () => peer?.close();
      opts.signal?.addEventListener("abort", closeOnAbort, { once: true });
      peer.closed.then(() => queue.end());
      const watchId = crypto.randomUUID();
      await peer.request(AGENTRUN_WATCH, {
        workspace: opts.workspace,
        name: opts.name,
        watchId,
        ...(next === undefined ? {} : { fromSeq: next }),
      });
      while (true) {
        const ev = await queue.next();
        if (!ev) {
          // The daemon said the watch cannot go on: resuming would fail the same way.
          if (queue.failure) throw queue.failure;
          break;
        }
        // Duplicates can only come from a resume overlap; seq is the dedup key.
        if (next !== undefined && ev.seq < next) continue;
        next = ev.seq + 1;
        failures = 0;
        backoff = 200;
        yield ev;
      }
      opts.signal?.removeEventListener("abort", closeOnAbort);
    } catch (err) {
      if (err === queue.failure) throw err;
      const code = errorCode(err);
      if (code !== undefined && PERMANENT_WATCH_CODES.has(code)) throw toAriError(err);
      failures++;
      if (opts.maxRetries !== undefined && failures > opts.maxRetries) {
        const known = toAriError(err);
        throw known instanceof RpcError ? known : new RpcError(ErrorCode.Internal, String(err));
      }
      opts.onReconnect?.(next ?? -1, err);
    } finally {
      peer?.close();
    }
    if (opts.signal?.aborted) break;
    await delay(backoff);
    backoff = Math.min(backoff * 2, 5_000);
  }
}

/**
 * Hands notifications to the consumer one at a time; the producer's promise resolves only
 * when there is room, which slows the socket reader instead of growing memory.
 */
class EventQueue {
  #items: AgentRunEvent[] = [];
  #waiter?: (ev: AgentRunEvent | undefined) => void;
  #room?: () => void;
  #ended = false;
  readonly #limit = 1024;

  async push(params: unknown): Promise<void> {
    if (this.#ended) return;
    const ev = params as AgentRunEvent & { watchId?: string };
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(ev);
      return;
    }
    this.#items.push(ev);
    if (this.#items.length >= this.#limit) await new Promise<void>((r) => (this.#room = r));
  }

  next(): Promise<AgentRunEvent | undefined> {
    const ev = this.#items.shift();
    if (this.#room && this.#items.length < this.#limit) {
      const r = this.#room;
      this.#room = undefined;
      r();
    }
    if (ev) return Promise.resolve(ev);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((r) => (this.#waiter = r));
  }

  /** Set by an `agentrun/watch_error`: the watch's last word. */
  failure: Error | undefined;

  /** The watch cannot go on: what is queued is still delivered, then `failure`. */
  fail(params: unknown): void {
    const p = params as { code?: number; message?: string; seq?: number };
    const seq = typeof p?.seq === "number" ? p.seq : undefined;
    const message = p?.message ?? "watch failed";
    this.failure = toAriError(
      new RpcError(p?.code ?? ErrorCode.Internal, message, seq === undefined ? {} : { seq }),
    ) as Error;
    this.end();
  }

  end(): void {
    this.#ended = true;
    this.#room?.();
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w(undefined);
    }
  }
}
