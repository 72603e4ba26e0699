/**
 * Under policy `ask`: each pending permission request of the run goes to the ACP client as
 * `session/request_permission`, and its answer goes back through ARI. When the request is
 * resolved elsewhere (another client, the timeout, a cancel), the client's question is
 * withdrawn with `$/cancel_request`.
 */
import type * as acp from "@agentclientprotocol/sdk";
import type { AgentRunEvent, PermissionRequestPayload } from "../../specs/events.ts";

export interface PermissionForwarderOptions {
  /** Asks the client; rejects when `signal` aborts. */
  ask(req: PermissionRequestPayload, signal: AbortSignal): Promise<acp.RequestPermissionResponse>;
  /** Answers the run's request (`agentrun/respond_permission`). */
  answer(requestId: string, answer: { optionId: string } | { cancel: true }): Promise<unknown>;
  /** Reports a failure that is not "already resolved". */
  onError?(err: unknown): void;
}

/**
 * Forwards a run's pending permission requests to the ACP client and withdraws each question
 * once the request is resolved elsewhere (see the module comment).
 */
export class PermissionForwarder {
  readonly #opts: PermissionForwarderOptions;
  readonly #open = new Map<string, AbortController>();
  readonly #seen = new Set<string>();

  constructor(opts: PermissionForwarderOptions) {
    this.#opts = opts;
  }

  /** Feeds a live event: requests are forwarded, resolutions withdraw the question. */
  onEvent(ev: AgentRunEvent): void {
    if (ev.type === "permission_request") this.forward(ev.payload);
    if (ev.type === "permission_resolved") {
      this.#seen.add(ev.payload.requestId);
      this.#open.get(ev.payload.requestId)?.abort();
    }
  }

  /** Forwards one request, once. */
  forward(req: PermissionRequestPayload): void {
    if (this.#seen.has(req.requestId)) return;
    this.#seen.add(req.requestId);
    const ctl = new AbortController();
    this.#open.set(req.requestId, ctl);
    this.#run(req, ctl).finally(() => this.#open.delete(req.requestId));
  }

  /** Withdraws every open question (the client is going away). */
  close(): void {
    for (const ctl of this.#open.values()) ctl.abort();
  }

  async #run(req: PermissionRequestPayload, ctl: AbortController): Promise<void> {
    let res: acp.RequestPermissionResponse;
    try {
      res = await this.#opts.ask(req, ctl.signal);
    } catch (err) {
      // Withdrawn (resolved elsewhere) or the client failed: the run decides without it.
      if (!ctl.signal.aborted) this.#opts.onError?.(err);
      return;
    }
    if (ctl.signal.aborted) return;
    const outcome = res.outcome;
    const answer = outcome.outcome === "selected"
      ? { optionId: outcome.optionId }
      : { cancel: true as const };
    try {
      await this.#opts.answer(req.requestId, answer);
    } catch (err) {
      // Another client or the timeout got there first: not this client's concern.
      if (!ctl.signal.aborted) this.#opts.onError?.(err);
    }
  }
}
