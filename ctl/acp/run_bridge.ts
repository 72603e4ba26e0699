/**
 * One ACP session attached to one supervised run: the run's events (agentrun/watch) become
 * the client's `session/update`s, a prompt becomes agentrun/prompt and its answer waits for
 * the turn's end. Detaching (the client went away) never touches the run.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { RunKey } from "../../specs/ari.ts";
import { errorCode, errorMessage } from "../../specs/errors.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import type { AriClient } from "../client/ari_client.ts";
import { oldestSeq } from "../client/oldest_seq.ts";
import { eventToUpdates } from "./event_to_updates.ts";
import { PermissionForwarder } from "./permission_forwarder.ts";
import { TurnTracker } from "./turn_tracker.ts";

export interface RunBridgeOptions {
  client: AriClient;
  key: RunKey;
  /** Sends one `session/update` to the client. */
  notify(update: acp.SessionUpdate): Promise<void>;
  /** Asks the client `session/request_permission`. */
  askPermission(
    params: Omit<acp.RequestPermissionRequest, "sessionId">,
    signal: AbortSignal,
  ): Promise<acp.RequestPermissionResponse>;
  /** How long a prompt waits for a busy run (another client's turn) to become idle. */
  busyTimeoutMs: number;
  /** Bound on replaying the log for `session/load`. */
  replayTimeoutMs?: number;
  log(line: string): void;
}

const STOP_REASONS = new Set([
  "end_turn",
  "max_tokens",
  "max_turn_requests",
  "refusal",
  "cancelled",
]);
const BUSY_POLL_MS = 250;

/**
 * Bridges one ACP session to one supervised run: events out as `session/update`s, prompts in
 * as agentrun/prompt (see the module comment).
 */
export class RunBridge {
  readonly #o: RunBridgeOptions;
  readonly #tracker = new TurnTracker();
  readonly #forwarder: PermissionForwarder;
  readonly #stop = new AbortController();
  /** While a prompt call is in flight, the stream holds turn starts until its fromSeq is known. */
  #gate: Promise<void> | undefined;
  #openGateFn: (() => void) | undefined;
  #boundary = -1;

  constructor(opts: RunBridgeOptions) {
    this.#o = opts;
    this.#forwarder = new PermissionForwarder({
      ask: (req, signal) =>
        opts.askPermission({ toolCall: req.toolCall, options: req.options } as Omit<
          acp.RequestPermissionRequest,
          "sessionId"
        >, signal),
      answer: (requestId, answer) =>
        opts.client.agentrunRespondPermission({ ...opts.key, requestId, ...answer }),
      onError: (err) => opts.log(`permission: ${errorMessage(err)}`),
    });
  }

  /**
   * Starts following the run. With `replay`, every retained event is sent first and this
   * resolves once the client has seen the log up to now; without, only what comes next.
   * Pending permission requests are forwarded either way.
   */
  async attach(replay: boolean): Promise<void> {
    const { client, key } = this.#o;
    this.#boundary = await _lastSeq(client, key);
    const fromSeq = replay ? await oldestSeq(client, key) : this.#boundary + 1;
    let caughtUp!: () => void;
    let failed!: (err: unknown) => void;
    const ready = new Promise<void>((res, rej) => [caughtUp, failed] = [res, rej]);
    if (fromSeq > this.#boundary) caughtUp();
    this.#follow(fromSeq, caughtUp).catch((err) => {
      if (this.#stop.signal.aborted) return;
      this.#o.log(`watch ended: ${errorMessage(err)}`);
      failed(err);
      this.#tracker.close(`event stream failed: ${errorMessage(err)}`);
    });
    const ms = this.#o.replayTimeoutMs ?? 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`replay did not finish within ${ms} ms`)), ms);
    });
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
    try {
      for (const p of (await client.agentrunPermissions(key)).items) this.#forwarder.forward(p);
    } catch {
      // no live agent-run: nothing can be pending
    }
  }

  /**
   * Runs one turn: agentrun/prompt (waiting up to `busyTimeoutMs` while another turn runs),
   * then the turn's end from the event stream. Resolves with its ACP stop reason.
   */
  async prompt(blocks: acp.ContentBlock[]): Promise<acp.StopReason> {
    const accepted = await this.#promptWhenIdle(blocks);
    const fromSeq = accepted.fromSeq ?? this.#boundary + 1;
    this.#tracker.claim(fromSeq);
    const outcome = this.#tracker.outcome(fromSeq);
    this.#openGate();
    const end = await outcome;
    if ("error" in end) throw new acp.RequestError(-32603, end.error);
    if (!STOP_REASONS.has(end.stopReason)) {
      throw new acp.RequestError(
        -32603,
        `turn ended with ${end.stopReason} (see the run's events)`,
      );
    }
    return end.stopReason as acp.StopReason;
  }

  /** Stops following the run; the run and any turn in progress go on. */
  close(): void {
    this.#stop.abort();
    this.#forwarder.close();
    this.#tracker.close("client detached");
  }

  async #follow(fromSeq: number, caughtUp: () => void): Promise<void> {
    const { client, key } = this.#o;
    const events = client.watch({
      ...key,
      fromSeq,
      signal: this.#stop.signal,
      onReconnect: (next, err) =>
        this.#o.log(`watch reconnecting at ${next}: ${errorMessage(err)}`),
    });
    for await (const ev of events) {
      if (ev.type === "turn_start" && this.#gate) await this.#gate;
      await this.#deliver(ev);
      this.#tracker.onEvent(ev);
      if (ev.seq > this.#boundary) this.#forwarder.onEvent(ev);
      if (ev.seq >= this.#boundary) caughtUp();
    }
  }

  async #deliver(ev: AgentRunEvent): Promise<void> {
    // The client that prompted already shows its own message.
    if (ev.type === "user_message" && this.#tracker.isOwn(ev.turnId)) return;
    for (const update of eventToUpdates(ev)) await this.#o.notify(update);
  }

  #closeGate(): void {
    this.#openGate();
    this.#gate = new Promise((r) => (this.#openGateFn = r));
  }

  #openGate(): void {
    this.#openGateFn?.();
    this.#openGateFn = undefined;
    this.#gate = undefined;
  }

  async #promptWhenIdle(blocks: acp.ContentBlock[]) {
    const { client, key } = this.#o;
    const deadline = Date.now() + this.#o.busyTimeoutMs;
    while (true) {
      this.#closeGate();
      try {
        return await client.agentrunPrompt({ ...key, prompt: blocks });
      } catch (err) {
        this.#openGate();
        if (!_isBusy(err)) throw new acp.RequestError(errorCode(err) ?? -32603, errorMessage(err));
        if (Date.now() >= deadline) {
          throw new acp.RequestError(
            -32001,
            `agent run ${key.workspace}/${key.name} is busy with another turn ` +
              `(still running after ${this.#o.busyTimeoutMs} ms); send the prompt again when it ends`,
          );
        }
        await new Promise((r) => setTimeout(r, BUSY_POLL_MS));
      }
    }
  }
}

/** The run is alive but not idle: another turn (or its start) holds it. */
function _isBusy(err: unknown): boolean {
  return errorCode(err) === -32001 &&
    /phase=(running|creating|restarting)|busy/.test(errorMessage(err));
}

async function _lastSeq(client: AriClient, key: RunKey): Promise<number> {
  try {
    return (await client.agentrunStatus(key)).recovery.lastSeq;
  } catch {
    return (await client.agentrunGet(key)).status?.lastSeq ?? -1;
  }
}
