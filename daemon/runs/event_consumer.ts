/**
 * agentd's own subscription to a run's events: resumes from a persisted cursor, hands each
 * event to the supervisor in order, and persists the cursor in batches (not per event).
 */
import type { AgentRunEvent } from "../../specs/events.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import {
  RunnerMethods,
  type StatusResult,
  type WatchErrorParams,
  type WatchEventResult,
} from "../../specs/runner_rpc.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";

export interface EventConsumerOptions {
  /** First seq wanted (the persisted cursor + 1). */
  fromSeq: number;
  /** Called for each event, in seq order; awaited (back-pressure on the socket). */
  onEvent: (ev: AgentRunEvent) => void | Promise<void>;
  /** Persists the cursor (the last consumed seq). */
  saveCursor: (seq: number) => Promise<unknown>;
  /** Persist after this many events… */
  flushEvery?: number;
  /** …or this long after the first unsaved event. */
  flushMs?: number;
  /** Told when retention removed events `[from, to)` before they were consumed. */
  onSkipped?: (from: number, to: number) => void;
}

/**
 * agentd's own subscription to a run's events, resumed from a persisted cursor that is saved
 * in batches (see the module comment).
 */
export class EventConsumer {
  readonly #opts: Required<EventConsumerOptions>;
  readonly #watchId = crypto.randomUUID();
  #peer?: RpcPeer;
  #lastSeq: number;
  /** Last seq whose onEvent has completed. */
  #handledSeq: number;
  readonly #handledWaiters = new Set<() => void>();
  #released = false;
  #savedSeq: number;
  #unsaved = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #saving: Promise<void> = Promise.resolve();
  #failure: WatchErrorParams | undefined;

  constructor(opts: EventConsumerOptions) {
    this.#opts = { flushEvery: 500, flushMs: 500, onSkipped: () => {}, ...opts };
    this.#lastSeq = opts.fromSeq - 1;
    this.#handledSeq = this.#lastSeq;
    this.#savedSeq = this.#lastSeq;
  }

  /**
   * Why the agent-run ended the last subscription, if it said (a log it cannot read):
   * resuming from the same seq would only fail the same way.
   */
  get failure(): WatchErrorParams | undefined {
    return this.#failure;
  }

  /** Last seq handed to onEvent (fromSeq - 1 before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Subscribes on `peer` (which may also carry control requests). The subscription ends
   * with the connection.
   */
  async start(peer: RpcPeer): Promise<WatchEventResult> {
    this.#peer = peer;
    this.#failure = undefined;
    peer.onNotification(RunnerMethods.eventUpdate, (params) => this.#receive(params));
    peer.onNotification(RunnerMethods.watchError, (params) => {
      const p = params as WatchErrorParams;
      if (p?.watchId === this.#watchId) this.#failure = p;
    });
    for (let attempt = 0;; attempt++) {
      try {
        return await peer.request<WatchEventResult>(RunnerMethods.watchEvent, {
          watchId: this.#watchId,
          fromSeq: this.#lastSeq + 1,
        });
      } catch (err) {
        // The cursor is older than the retained log (agentd was away while it rotated):
        // what was removed cannot be had, so go on from the oldest retained event.
        if (errorCode(err) !== ErrorCode.InvalidParams || attempt >= 3) throw err;
        const st = await peer.request<StatusResult>(RunnerMethods.status, null);
        const first = st.state.eventLog?.firstSeq;
        if (first === undefined || first <= this.#lastSeq + 1) throw err;
        this.#opts.onSkipped(this.#lastSeq + 1, first);
        this.advance(first - 1);
      }
    }
  }

  async #receive(params: unknown): Promise<void> {
    const ev = params as AgentRunEvent & { watchId?: string };
    if (!ev || ev.watchId !== this.#watchId || typeof ev.seq !== "number") return;
    // Resume overlap: seq is the dedup key.
    if (ev.seq <= this.#lastSeq) return;
    const { watchId: _w, ...envelope } = ev;
    this.#lastSeq = ev.seq;
    try {
      await this.#opts.onEvent(envelope as AgentRunEvent);
    } finally {
      this.#markHandled(ev.seq);
    }
    this.#unsaved++;
    if (this.#unsaved >= this.#opts.flushEvery) {
      void this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#opts.flushMs);
    }
  }

  /** Records events read elsewhere (e.g. from the log after the agent-run left). */
  advance(seq: number): void {
    if (seq > this.#lastSeq) {
      this.#lastSeq = seq;
      this.#unsaved++;
    }
    this.#markHandled(seq);
  }

  #markHandled(seq: number): void {
    if (seq <= this.#handledSeq) return;
    this.#handledSeq = seq;
    for (const wake of [...this.#handledWaiters]) wake();
  }

  /**
   * Resolves once agentd has handled the event `seq` (its phase etc. applied), or after
   * `timeoutMs` at the latest: a watcher is then never ahead of the run's recorded state.
   */
  handled(seq: number, timeoutMs: number): Promise<void> {
    if (this.#handledSeq >= seq || this.#released) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#handledWaiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.#handledSeq >= seq || this.#released) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#handledWaiters.add(check);
    });
  }

  /** Persists the cursor now if it moved. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving.then(async () => {
      const seq = this.#lastSeq;
      if (seq <= this.#savedSeq || seq < 0) return;
      this.#unsaved = 0;
      try {
        await this.#opts.saveCursor(seq);
        this.#savedSeq = seq;
      } catch {
        // The run may be gone (deleted); a lost cursor write only means some replay later.
      }
    });
    return this.#saving;
  }

  /** Stops the timer and persists; does not close the connection (the owner does). */
  async close(): Promise<void> {
    // Nothing more will be handled: release whoever waits for it.
    this.#released = true;
    for (const wake of [...this.#handledWaiters]) wake();
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get peer(): RpcPeer | undefined {
    return this.#peer;
  }
}
