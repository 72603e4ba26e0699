/**
 * One watch of a run's events: hands them, from `fromSeq`, with no gap and no duplicate, to a
 * sink given by the ARI layer (daemon/ari/agentruns.ts turns them into `agentrun/event`
 * notifications; only daemon/ari speaks JSON-RPC to clients).
 *
 * - Live agent-run: proxied through a dedicated runner connection (`runtime/watch_event`);
 *   each forward awaits the sink, so a slow client slows the runner socket and, past the
 *   runner's buffer, gets disconnected. When the agent-run goes away, the sink is closed
 *   (the ARI layer closes the client's connection) so the client resumes from its last seq.
 * - No agent-run (stopped, error, between restarts): the events are replayed from the
 *   bundle's log files, and the session stays open, parked, until the run has an agent-run
 *   again or its log grows (a start that fails before going live still logs), then continues
 *   from where it was.
 * - A `fromSeq` older than the retained log is refused (-32602) before the session starts
 *   (see RunSupervisor.watch); if retention overtakes a running session, its client's
 *   connection is closed and the resume is refused the same way. Never a silent gap.
 */
import { delay } from "../../specs/lib/delay.ts";
import type { RunKey } from "../../specs/ari.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import {
  EventLogCorruptError,
  lastEventSeq,
  listSegments,
  readEventFiles,
} from "../../specs/eventlog/mod.ts";
import type { WatchErrorParams } from "../../specs/runner_rpc.ts";
import { watchRunnerEvents } from "./runner_client.ts";

/** What a watch session needs from the supervisor. */
export interface WatchHost {
  /** Socket of the run's live agent-run, if it has one. */
  liveSocket(key: RunKey): string | undefined;
  /** Resolves when the run has a live agent-run (at once if it has one) or `signal` aborts. */
  waitLive(key: RunKey, signal: AbortSignal): Promise<void>;
  /**
   * Resolves once agentd has applied the event `seq` of the live agent-run to the run (bounded;
   * at once without one), so a client never learns of a turn_end before the run is idle.
   */
  applied(key: RunKey, seq: number): Promise<void>;
  /** The run's event log directory. */
  eventsDir(key: RunKey): string;
  /** Registers the session so that deleting the run ends it. */
  register(key: RunKey, session: WatchSession): void;
  unregister(key: RunKey, session: WatchSession): void;
}

/** Where a session's events go; given by whoever serves the watch (the ARI layer). */
export interface WatchSink {
  /** Delivers one event; awaited, so a slow client slows the session. */
  event(ev: AgentRunEvent): Promise<void>;
  /** Ends the client's side, so that it notices (and resumes, or learns the run is gone). */
  close(): void;
  /** Tells the client the watch cannot go on (its events cannot be read); then close() follows. */
  fail(error: WatchFailure): Promise<void>;
}

/** Why a watch cannot go on; `seq` is where reading the log stopped. */
export interface WatchFailure {
  code: number;
  message: string;
  seq?: number;
}

/**
 * One watch of a run's events from `fromSeq` to a sink, live or replayed from the bundle, with
 * no gap and no duplicate (see the module comment).
 */
export class WatchSession {
  readonly key: RunKey;
  readonly #sink: WatchSink;
  readonly #host: WatchHost;
  readonly #abort = new AbortController();
  readonly #done = Promise.withResolvers<void>();
  #next: number | undefined;
  #runner?: RpcPeer;

  constructor(host: WatchHost, key: RunKey, sink: WatchSink, fromSeq?: number) {
    this.#host = host;
    this.#sink = sink;
    this.key = key;
    this.#next = fromSeq;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Resolves when the session has ended, whatever ended it. */
  get done(): Promise<void> {
    return this.#done.promise;
  }

  /** Starts streaming in the background. */
  start(): void {
    this.#host.register(this.key, this);
    this.#loop().catch(async (err) => {
      // An unreadable log: say so, rather than let the client resume into the same failure.
      if (err instanceof EventLogCorruptError) {
        const failure: WatchFailure = { code: ErrorCode.Internal, message: err.message };
        if (err.seq !== undefined) failure.seq = err.seq;
        await this.#sink.fail(failure).catch(() => {});
      }
      this.#closeClient();
    }).finally(() => this.close());
  }

  /** Ends the session (unwatch, connection closed, run deleted). */
  close(): void {
    if (!this.closed) this.#abort.abort();
    this.#runner?.close();
    this.#host.unregister(this.key, this);
    this.#done.resolve();
  }

  /** Ends the session and its client's connection (the run was deleted). */
  end(): void {
    this.#closeClient();
  }

  /** Ends the session and the client's side, so that the client notices. */
  #closeClient(): void {
    this.close();
    this.#sink.close();
  }

  async #forward(ev: AgentRunEvent): Promise<void> {
    if (this.closed) return;
    if (this.#next !== undefined && ev.seq < this.#next) return;
    if (ev.type === "turn_end") await this.#host.applied(this.key, ev.seq);
    await this.#sink.event(ev);
    this.#next = ev.seq + 1;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let failure: WatchErrorParams | undefined;
    while (!signal.aborted) {
      const socket = this.#host.liveSocket(this.key);
      if (socket) {
        let runner: RpcPeer;
        try {
          const w = await watchRunnerEvents(socket, {
            fromSeq: this.#next,
            onEvent: (ev) => this.#forward(ev),
            onError: (e) => {
              failure = e;
            },
          });
          runner = w.peer;
        } catch (err) {
          // Retention removed events this session still owed: the client's resume gets -32602.
          if (errorCode(err) === ErrorCode.InvalidParams) return this.#closeClient();
          // Stopping or restarting: look again shortly (from the files or the new agent-run).
          await delay(50, { signal });
          if (this.#host.liveSocket(this.key) === socket) {
            // Still the same agent-run but unreachable: let the client retry.
            return this.#closeClient();
          }
          continue;
        }
        this.#runner = runner;
        if (signal.aborted) return runner.close();
        await Promise.race([runner.closed, abortPromise(signal)]);
        runner.close();
        if (signal.aborted) return;
        if (failure) {
          const { code, message, seq } = failure as WatchErrorParams;
          await this.#sink.fail(seq === undefined ? { code, message } : { code, message, seq });
          return this.#closeClient();
        }
        // The agent-run went away: the client resumes from its last seq.
        return this.#closeClient();
      }
      const dir = this.#host.eventsDir(this.key);
      if (this.#next === undefined) {
        this.#next = (await lastEventSeq(dir)) + 1;
      } else {
        for await (const ev of readEventFiles(dir, this.#next)) {
          if (signal.aborted) return;
          await this.#forward(ev);
        }
      }
      await this.#park(dir, signal);
    }
  }

  /**
   * Waits until the run has a live agent-run again or its log grows: a start that fails
   * before its agent-run goes live still writes events, and an open watch must see them.
   */
  async #park(dir: string, signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    try {
      await Promise.race([this.#host.waitLive(this.key, both), _logGrows(dir, both)]);
    } finally {
      stop.abort();
    }
  }
}

/** How often a parked watch looks at the log's files (one listing and one stat). */
const PARKED_POLL_MS = 250;

/** Resolves when the newest segment of `dir` changes (name or size), or `signal` aborts. */
async function _logGrows(dir: string, signal: AbortSignal): Promise<void> {
  const before = await _logMark(dir);
  while (!signal.aborted) {
    await delay(PARKED_POLL_MS, { signal });
    if (signal.aborted || (await _logMark(dir)) !== before) return;
  }
}

async function _logMark(dir: string): Promise<string> {
  const newest = (await listSegments(dir).catch(() => [])).at(-1);
  if (!newest) return "";
  const size = await Deno.stat(newest.path).then((s) => s.size, () => -1);
  return `${newest.path}:${size}`;
}

function abortPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
}
