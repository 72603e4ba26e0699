/**
 * `agentrun/watch` over ARI: one session per (ARI connection, watchId) that forwards a run's
 * events as `agentrun/event` notifications (envelope + watchId + workspace), from `fromSeq`,
 * with no gap and no duplicate.
 *
 * - Live agent-run: proxied through a dedicated runner connection (`runtime/watch_event`);
 *   each forward awaits the ARI write, so a slow client slows the runner socket and, past the
 *   runner's buffer, gets disconnected. When the agent-run goes away, the ARI connection is
 *   closed so the client resumes from its last seq (ctl/ari_client.ts does that).
 * - No agent-run (stopped, error, between restarts): the events are replayed from the
 *   bundle's log files, and the session stays open, parked, until the run has an agent-run
 *   again, then continues from where it was.
 * - A `fromSeq` older than the retained log is refused (-32602) before the session starts
 *   (see RunSupervisor.watch); if retention overtakes a running session, its client's
 *   connection is closed and the resume is refused the same way. Never a silent gap.
 */
import { AriMethods, type RunKey } from "../../specs/ari.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { ErrorCode, errorCode, InvalidParamsError } from "../../specs/errors.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { lastEventSeq, readEventFiles } from "./event_files.ts";
import { watchRunnerEvents } from "./runner_client.ts";
import { clip } from "../../specs/lib/clip.ts";

/** What a watch session needs from the supervisor. */
export interface WatchHost {
  /** Socket of the run's live agent-run, if it has one. */
  liveSocket(key: RunKey): string | undefined;
  /** Resolves when the run has a live agent-run (at once if it has one) or `signal` aborts. */
  waitLive(key: RunKey, signal: AbortSignal): Promise<void>;
  /** The run's event log directory. */
  eventsDir(key: RunKey): string;
  /** Registers the session so that deleting the run ends it. */
  register(key: RunKey, session: WatchSession): void;
  unregister(key: RunKey, session: WatchSession): void;
}

const REGISTRY = "agentrun.watches";

/** The watch sessions of one ARI connection, by watchId. */
export function watchRegistry(peer: RpcPeer): Map<string, WatchSession> {
  let reg = peer.context.get(REGISTRY) as Map<string, WatchSession> | undefined;
  if (!reg) {
    const created = new Map<string, WatchSession>();
    peer.context.set(REGISTRY, created);
    peer.closed.then(() => {
      for (const s of created.values()) s.close();
    });
    reg = created;
  }
  return reg;
}

export class WatchSession {
  readonly key: RunKey;
  readonly watchId: string;
  readonly #peer: RpcPeer;
  readonly #host: WatchHost;
  readonly #abort = new AbortController();
  #next: number | undefined;
  #runner?: RpcPeer;

  constructor(host: WatchHost, peer: RpcPeer, key: RunKey, watchId: string, fromSeq?: number) {
    this.#host = host;
    this.#peer = peer;
    this.key = key;
    this.watchId = watchId;
    this.#next = fromSeq;
  }

  get closed(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Starts streaming in the background; returns what `agentrun/watch` answers. */
  start(): { watchId: string } {
    const reg = watchRegistry(this.#peer);
    if (reg.has(this.watchId)) {
      throw new InvalidParamsError(
        `watchId ${clip(this.watchId)} is already in use on this connection`,
      );
    }
    reg.set(this.watchId, this);
    this.#host.register(this.key, this);
    this.#loop().catch(() => this.#closeClient()).finally(() => this.close());
    return { watchId: this.watchId };
  }

  /** Ends the session (unwatch, connection closed, run deleted). */
  close(): void {
    if (!this.closed) this.#abort.abort();
    this.#runner?.close();
    const reg = watchRegistry(this.#peer);
    if (reg.get(this.watchId) === this) reg.delete(this.watchId);
    this.#host.unregister(this.key, this);
  }

  /** Ends the session and its client's connection (the run was deleted). */
  end(): void {
    this.#closeClient();
  }

  /** Ends the session and the client's connection, so that the client notices. */
  #closeClient(): void {
    this.close();
    this.#peer.close();
  }

  async #forward(ev: AgentRunEvent): Promise<void> {
    if (this.closed) return;
    if (this.#next !== undefined && ev.seq < this.#next) return;
    await this.#peer.notify(AriMethods.agentrunEvent, {
      ...ev,
      watchId: this.watchId,
      workspace: this.key.workspace,
    });
    this.#next = ev.seq + 1;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const socket = this.#host.liveSocket(this.key);
      if (socket) {
        let runner: RpcPeer;
        try {
          const w = await watchRunnerEvents(socket, {
            fromSeq: this.#next,
            onEvent: (ev) => this.#forward(ev),
          });
          runner = w.peer;
        } catch (err) {
          // Retention removed events this session still owed: the client's resume gets -32602.
          if (errorCode(err) === ErrorCode.InvalidParams) return this.#closeClient();
          // Stopping or restarting: look again shortly (from the files or the new agent-run).
          await delay(50, signal);
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
      await this.#host.waitLive(this.key, signal);
    }
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      r();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
