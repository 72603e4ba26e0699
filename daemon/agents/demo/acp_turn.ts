/**
 * One ACP prompt turn as the fake agents run it (the built-in demo agent here, the
 * scriptable test agent in tests/agents/): session updates sent while the turn is not
 * cancelled, pauses and client requests that a session/cancel cuts short, and the rule of
 * one turn per session at a time.
 */
import { delay } from "../../../specs/lib/delay.ts";
import * as acp from "@agentclientprotocol/sdk";

/** Thrown inside a turn once it has been cancelled; the agent answers stopReason "cancelled". */
export class TurnCancelled extends Error {
  constructor() {
    super("turn cancelled");
  }
}

/** Resolves after `ms`, or as soon as `signal` aborts (specs/lib's delay, named for agents). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, { signal });
}

/** A text content block. */
export function textBlock(text: string): acp.ContentBlock {
  return { type: "text", text };
}

/** One running prompt turn of `session`: its updates stop once `signal` aborts. */
export class AcpTurn<S extends { id: string }> {
  constructor(
    readonly session: S,
    readonly client: acp.AgentContext,
    readonly signal: AbortSignal,
  ) {}

  /** Throws TurnCancelled once the turn is cancelled. */
  check(): void {
    if (this.signal.aborted) throw new TurnCancelled();
  }

  /** Sends one session/update, unless the turn is cancelled. */
  async send(update: acp.SessionUpdate): Promise<void> {
    this.check();
    await this.client.notify(acp.methods.client.session.update, {
      sessionId: this.session.id,
      update,
    });
  }

  /** One agent_message_chunk of `text`. */
  say(text: string): Promise<void> {
    return this.send({ sessionUpdate: "agent_message_chunk", content: textBlock(text) });
  }

  /** Waits `ms` (less when cancelled), then throws TurnCancelled if it was. */
  async pause(ms: number): Promise<void> {
    await sleep(ms, this.signal);
    this.check();
  }

  /** `p`, unless the turn is cancelled first (then TurnCancelled; `p` is left to settle). */
  async unlessCancelled<T>(p: Promise<T>): Promise<T> {
    p.catch(() => {});
    let onAbort = () => {};
    const cancelled = new Promise<never>((_, reject) => {
      onAbort = () => reject(new TurnCancelled());
      if (this.signal.aborted) onAbort();
      else this.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([p, cancelled]);
    } finally {
      this.signal.removeEventListener("abort", onAbort);
    }
  }
}

/** A session that runs at most one turn at a time; `turn` is present only while one runs. */
export interface TurnHolder {
  turn?: AbortController;
}

/**
 * Runs one turn of `session` with a signal that aborts on the request's `signal` or on
 * session/cancel (`cancelTurn`); refuses a second turn while one runs.
 *
 * @example
 * ```ts
 * const session: TurnHolder = {};
 * await exclusiveTurn(session, AbortSignal.timeout(1000), (signal) => sleep(10, signal));
 * ```
 */
export async function exclusiveTurn<T>(
  session: TurnHolder,
  signal: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (session.turn) {
    throw acp.RequestError.invalidRequest(undefined, "a prompt turn is already running");
  }
  const control = new AbortController();
  session.turn = control;
  try {
    return await run(AbortSignal.any([signal, control.signal]));
  } finally {
    if (session.turn === control) session.turn = undefined;
  }
}

/** session/cancel: aborts the session's running turn, if any; says whether there was one. */
export function cancelTurn(session: TurnHolder | undefined): boolean {
  const turn = session?.turn;
  turn?.abort();
  return turn !== undefined;
}

/** Serves `app` on `output`/`input` (default stdout/stdin) until the input closes. */
export async function serveStdio(
  app: acp.AgentApp,
  output: WritableStream<Uint8Array> = Deno.stdout.writable,
  input: ReadableStream<Uint8Array> = Deno.stdin.readable,
): Promise<void> {
  const connection = app.connect(acp.ndJsonStream(output, input));
  await connection.closed;
}
