/**
 * Seq assignment and fan-out for one AgentRun's events.
 *
 * Every event is appended to the log before any subscriber sees it, one at a time, so the log
 * is the single source of truth: a subscriber replays `[fromSeq, boundary)` from the log and
 * takes `[boundary, …)` live, where `boundary` is the first seq not yet fanned out when it
 * subscribed. That gives each subscriber every seq exactly once, in order.
 */
import type { AgentRunEvent, AgentRunEventOf, EventType } from "../../specs/events.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import type { EventLog, EventLogStats } from "../../specs/eventlog/event_log.ts";

/** An event before the hub stamps it: no seq or runId; time defaults to now. */
export type EventDraft = {
  [T in EventType]: Omit<AgentRunEventOf<T>, "seq" | "time" | "runId"> & { time?: string };
}[EventType];

export interface Subscription {
  readonly id: string;
  /** First seq delivered live rather than replayed (a watch's diagnostic `nextSeq`). */
  readonly liveFrom: number;
  /** The next event in seq order; undefined once the subscription has ended. */
  next(): Promise<AgentRunEvent | undefined>;
  /** Ends the subscription now, dropping anything buffered. */
  close(): void;
  /** Why the subscription ended: "closed", "slow consumer", "hub closed", "replay failed: …". */
  readonly closedReason?: string;
}

export interface EventHubOptions {
  runId: string;
  /** Live events a subscriber may have waiting before it is closed; default 4096. */
  maxQueue?: number;
}

export const SLOW_CONSUMER = "slow consumer";
export const HUB_CLOSED = "hub closed";

/**
 * Assigns seqs to one run's events, appends them to the log, then fans them out to subscribers
 * (see the module comment).
 */
export class EventHub {
  readonly #log: EventLog;
  readonly #runId: string;
  readonly #maxQueue: number;
  readonly #subs = new Map<string, HubSubscription>();
  readonly #counts: Record<string, number> = {};
  #chain: Promise<unknown> = Promise.resolve();
  /** First seq not yet handed to live subscribers. */
  #fannedOut: number;
  #lastSubId = 0;
  #closed = false;

  constructor(log: EventLog, opts: EventHubOptions) {
    this.#log = log;
    this.#runId = opts.runId;
    this.#maxQueue = opts.maxQueue ?? 4096;
    if (!(this.#maxQueue > 0)) throw new RangeError("maxQueue must be > 0");
    this.#fannedOut = log.nextSeq;
  }

  get nextSeq(): number {
    return this.#log.nextSeq;
  }

  get lastSeq(): number {
    return this.#log.lastSeq;
  }

  /** Oldest seq a subscriber can replay from. */
  get firstSeq(): number {
    return this.#log.firstSeq;
  }

  /** The log's size on disk and replayable range. */
  logStats(): EventLogStats {
    return this.#log.stats();
  }

  /** Events emitted by this process, per type. */
  counts(): Record<string, number> {
    return { ...this.#counts };
  }

  /**
   * Stamps, logs and fans out one event. Emits run one at a time in call order; if the append
   * fails nobody sees the event, its seq is reused, and the error propagates.
   */
  emit(draft: EventDraft): Promise<AgentRunEvent> {
    if (this.#closed) return Promise.reject(new Error("event hub is closed"));
    const run = this.#chain.then(() => this.#emit(draft));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #emit(draft: EventDraft): Promise<AgentRunEvent> {
    const ev = this.#stamp(draft);
    await this.#log.append(ev);
    this.#fannedOut = ev.seq + 1;
    this.#counts[ev.type] = (this.#counts[ev.type] ?? 0) + 1;
    for (const sub of this.#subs.values()) sub.push(ev);
    return ev;
  }

  #stamp(draft: EventDraft): AgentRunEvent {
    // Fixed key order, absent optionals left out: replayed and live events compare equal.
    const ev: Record<string, unknown> = { runId: this.#runId };
    if (draft.sessionId !== undefined) ev.sessionId = draft.sessionId;
    ev.seq = this.#log.nextSeq;
    ev.time = draft.time ?? new Date().toISOString();
    ev.type = draft.type;
    if (draft.turnId !== undefined) ev.turnId = draft.turnId;
    ev.payload = draft.payload;
    return ev as unknown as AgentRunEvent;
  }

  /**
   * Subscribes to events from `fromSeq` (replayed from the log, then live), or to live events
   * only when `fromSeq` is undefined. A replay that cannot be served (retention removed it,
   * or the log is corrupt) makes `next()` reject with the log's error.
   */
  subscribe(fromSeq?: number): Subscription {
    if (fromSeq !== undefined && (!Number.isSafeInteger(fromSeq) || fromSeq < 0)) {
      throw new InvalidParamsError("fromSeq must be an integer >= 0");
    }
    const id = `sub-${++this.#lastSubId}`;
    const boundary = this.#fannedOut;
    const replay = fromSeq !== undefined && fromSeq < boundary
      ? this.#log.read(fromSeq, boundary)[Symbol.asyncIterator]()
      : undefined;
    const liveFrom = Math.max(boundary, fromSeq ?? boundary);
    const sub = new HubSubscription(id, replay, liveFrom, this.#maxQueue, () => {
      this.#subs.delete(id);
    });
    if (this.#closed) sub.end(HUB_CLOSED, true);
    else this.#subs.set(id, sub);
    return sub;
  }

  /** Waits for emits in flight, then ends every subscription. Does not close the log. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#chain;
    for (const sub of [...this.#subs.values()]) sub.end(HUB_CLOSED, true);
  }
}

class HubSubscription implements Subscription {
  readonly id: string;
  readonly liveFrom: number;
  #replay: AsyncIterator<AgentRunEvent> | undefined;
  readonly #maxQueue: number;
  readonly #detach: () => void;
  #queue: (AgentRunEvent | undefined)[] = [];
  #head = 0;
  #waiter: ((ev: AgentRunEvent | undefined) => void) | undefined;
  #pending = false;
  #closedReason: string | undefined;
  /** Nothing more will be returned, not even buffered events. */
  #done = false;

  constructor(
    id: string,
    replay: AsyncIterator<AgentRunEvent> | undefined,
    liveFrom: number,
    maxQueue: number,
    detach: () => void,
  ) {
    this.id = id;
    this.#replay = replay;
    this.liveFrom = liveFrom;
    this.#maxQueue = maxQueue;
    this.#detach = detach;
  }

  get closedReason(): string | undefined {
    return this.#closedReason;
  }

  /** Called by the hub for each live event; never blocks. */
  push(ev: AgentRunEvent): void {
    if (this.#closedReason !== undefined || ev.seq < this.liveFrom) return;
    if (this.#waiter && !this.#replay) {
      const wake = this.#waiter;
      this.#waiter = undefined;
      wake(ev);
      return;
    }
    if (this.#queue.length - this.#head >= this.#maxQueue) {
      // Stop here rather than drop: what is buffered is still delivered, then next() ends,
      // and the consumer resumes from its last seq + 1.
      this.end(SLOW_CONSUMER, false);
      return;
    }
    this.#queue.push(ev);
  }

  async next(): Promise<AgentRunEvent | undefined> {
    if (this.#pending) throw new Error("Subscription.next() called while a call is pending");
    this.#pending = true;
    try {
      return await this.#next();
    } finally {
      this.#pending = false;
    }
  }

  async #next(): Promise<AgentRunEvent | undefined> {
    if (this.#done) return undefined;
    if (this.#replay) {
      let r: IteratorResult<AgentRunEvent>;
      try {
        r = await this.#replay.next();
      } catch (err) {
        this.#replay = undefined;
        this.end(`replay failed: ${err instanceof Error ? err.message : String(err)}`, true);
        throw err;
      }
      if (this.#done) return undefined;
      if (!r.done) return r.value;
      this.#replay = undefined;
    }
    if (this.#head < this.#queue.length) return this.#shift();
    if (this.#closedReason !== undefined) {
      this.#done = true;
      return undefined;
    }
    return new Promise((resolve) => this.#waiter = resolve);
  }

  #shift(): AgentRunEvent {
    const ev = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return ev;
  }

  close(): void {
    this.end("closed", true);
  }

  /** Stops live delivery; with `discard`, also drops what is buffered and any replay. */
  end(reason: string, discard: boolean): void {
    if (this.#closedReason === undefined) {
      this.#closedReason = reason;
      this.#detach();
    }
    if (discard && !this.#done) {
      this.#done = true;
      this.#queue = [];
      this.#head = 0;
      const replay = this.#replay;
      this.#replay = undefined;
      // Closes the replay's file handle (after its read in flight, if any).
      replay?.return?.().catch(() => {});
    }
    // A waiter only exists once replay is over and the queue is empty: nothing is left.
    if (this.#waiter) {
      const wake = this.#waiter;
      this.#waiter = undefined;
      this.#done = true;
      wake(undefined);
    }
  }
}
