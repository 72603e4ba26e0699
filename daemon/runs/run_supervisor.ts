/**
 * The lifecycle of AgentRuns inside agentd: start an agent-run on a bundle, follow its
 * events, stop it (its whole process group), restart it on the same bundle (same event log,
 * resumed ACP session), apply the restart policy when it ends on its own, and re-attach to
 * live agent-runs after agentd restarts.
 *
 * This class is the surface the ARI handlers and tests use; the work is in one module per
 * responsibility: start.ts, attach.ts (+ run_events.ts), exit.ts, stop.ts, turns.ts,
 * inbox_delivery.ts, recover.ts, watch.ts; the shared state is run_context.ts and every phase
 * write asks phase.ts.
 *
 * Phase authority: after bootstrap the agent-run's events decide idle/running; agentd writes
 * only the idle→running reservation, and creating/restarting/stopped/error.
 *
 * @example
 * ```ts ignore
 * const runs = new RunSupervisor({ store, paths });
 * await runs.recover();
 * await runs.create({ metadata: { workspace: "ws", name: "a" }, spec: { agent: "demo" } });
 * ```
 */
import type {
  AgentRun,
  AgentRunPermissions,
  AgentRunRuntimeStatus,
  AriRespondPermissionParams,
  PromptAccepted,
  RunKey,
  SendParams,
  SendResult,
} from "../../specs/ari.ts";
import { ConflictError } from "../../specs/errors.ts";
import type { ContentBlock, PermissionAnswer } from "../../specs/events.ts";
import type { Store } from "../store/store.ts";
import { type BundlePaths, readState } from "./bundle.ts";
import { assertRetained } from "../../specs/eventlog/mod.ts";
import { attach } from "./attach.ts";
import { onGone } from "./exit.ts";
import { drainSoon, sendMessage } from "./inbox_delivery.ts";
import { recoverRuns, type RecoverySummary } from "./recover.ts";
import { notFound, RunContext, runId, type RunSupervisorOptions } from "./run_context.ts";
import { createRun, startLocked } from "./start.ts";
import { deleteRun, restartRun, stopRun } from "./stop.ts";
import type { RunWorktreeDeleteOptions } from "./run_worktree.ts";
import { promptRun } from "./turns.ts";
import { type WatchHost, WatchSession, type WatchSink } from "./watch.ts";

export {
  DEFAULT_STOP_TIMEOUTS,
  EVENT_LOG_WARN_BYTES,
  type RunSupervisorOptions,
  type StopTimeouts,
} from "./run_context.ts";
export type { RecoverySummary } from "./recover.ts";

/** How long a watch holds a turn_end back for agentd to apply the run's idle phase. */
const APPLIED_WAIT_MS = 2_000;

/**
 * The lifecycle of AgentRuns inside agentd, the surface the ARI handlers and tests use (see
 * the module comment).
 */
export class RunSupervisor implements WatchHost {
  readonly #cx: RunContext;

  constructor(opts: RunSupervisorOptions) {
    const max = opts.eventMaxSegments;
    if (max !== undefined && !(Number.isSafeInteger(max) && max >= 0)) {
      throw new RangeError("eventMaxSegments must be an integer >= 0");
    }
    this.#cx = new RunContext(opts, (cx) => ({
      startLocked: (key, ctl, o) => startLocked(cx, key, ctl, o),
      attach: (key, ctl, paths, o) => attach(cx, key, ctl, paths, o),
      onGone: (live, exit) => onGone(cx, live, exit),
      drainSoon: (key) => drainSoon(cx, key),
    }));
  }

  /**
   * agentrun/create: validates, records the run as `creating` and starts it in the
   * background. Agent missing or disabled → -32602 (checked atomically with the create, so
   * a concurrent agent/delete cannot slip in); workspace missing -32602 / not ready -32001
   * and duplicate -32001 (from the store).
   */
  create(input: Omit<AgentRun, "kind" | "status"> & { kind?: "AgentRun" }): Promise<AgentRun> {
    return createRun(this.#cx, input);
  }

  /** The run with live fields (lastSeq) filled in; -32602 when absent. */
  async get(key: RunKey): Promise<AgentRun> {
    const run = await this.#cx.store.getRun(key);
    if (!run) throw notFound(key);
    return this.#cx.overlay(run);
  }

  async list(query: Parameters<Store["listRuns"]>[0] = {}): Promise<AgentRun[]> {
    return (await this.#cx.store.listRuns(query)).map((r) => this.#cx.overlay(r));
  }

  /**
   * agentrun/prompt: reserves idle→running, hands the prompt to the agent-run and returns at
   * once with the seq the turn's events start from. A delivery failure is reported on the
   * run (errorMessage, phase from the agent-run), never dropped.
   */
  prompt(key: RunKey, prompt: ContentBlock[]): Promise<PromptAccepted> {
    return promptRun(this.#cx, key, prompt);
  }

  /** agentrun/cancel: forwards session/cancel; -32001 when no agent-run is live. */
  async cancel(key: RunKey): Promise<void> {
    await (await this.#cx.requireLive(key)).client.cancel();
  }

  /** agentrun/set_model: forwards session/set_model; -32001 when no agent-run is live. */
  async setModel(key: RunKey, modelId: string): Promise<void> {
    await (await this.#cx.requireLive(key)).client.setModel(modelId);
  }

  /** agentrun/set_mode: forwards session/set_mode; -32001 when no agent-run is live. */
  async setMode(key: RunKey, modeId: string): Promise<void> {
    await (await this.#cx.requireLive(key)).client.setMode(modeId);
  }

  /** agentrun/set_config_option: forwards session/set_config_option; -32001 without a live run. */
  async setConfigOption(key: RunKey, configId: string, value: string | boolean): Promise<unknown> {
    return await (await this.#cx.requireLive(key)).client.setConfigOption(configId, value);
  }

  /** agentrun/permissions: the live agent-run's pending requests; -32001 without one. */
  async permissions(key: RunKey): Promise<AgentRunPermissions> {
    return await (await this.#cx.requireLive(key)).client.permissions();
  }

  /**
   * agentrun/respond_permission: forwards session/respond_permission; -32001 without a live
   * agent-run, -32602 (from the agent-run) for an unknown request or option.
   */
  async respondPermission(
    key: RunKey,
    p: Omit<AriRespondPermissionParams, keyof RunKey>,
  ): Promise<PermissionAnswer> {
    const live = await this.#cx.requireLive(key);
    const answer = await live.client.respondPermission(
      p.optionId !== undefined
        ? { requestId: p.requestId, optionId: p.optionId }
        : { requestId: p.requestId, outcome: "cancelled" },
    );
    // Its permission_resolved event follows; the count need not wait for it.
    live.pendingPermissions.delete(p.requestId);
    return answer;
  }

  /**
   * agentrun/status: the live agent-run's runtime/status; without one (or when it does not
   * answer) the state.json it left in the bundle. Unknown run -32602; no state -32001.
   */
  async status(key: RunKey): Promise<AgentRunRuntimeStatus> {
    const run = await this.#cx.store.getRun(key);
    if (!run) throw notFound(key);
    const live = this.#cx.live(key);
    let failure: unknown;
    if (live) {
      try {
        return await live.client.status();
      } catch (err) {
        failure = err;
      }
    }
    const state = await readState(this.bundlePathsOf(key));
    if (state) {
      const lastSeq = Math.max(state.lastSeq ?? -1, run.status.lastSeq ?? -1);
      return { state, recovery: { lastSeq } };
    }
    if (failure) throw failure;
    throw new ConflictError(
      `agent ${runId(key)} is not running and has no state yet (phase=${run.status.phase})`,
    );
  }

  /**
   * agentrun/stop: graceful and bounded (runtime/stop, wait, SIGTERM group, SIGKILL group);
   * returns the run once it is stopped. Unknown run → -32602.
   */
  async stop(key: RunKey): Promise<AgentRun> {
    await stopRun(this.#cx, key);
    return await this.get(key);
  }

  /**
   * agentrun/restart: marks the run `restarting` and, in the background, stops it if needed
   * and starts a new agent-run on the same bundle (event log and seq continue; the ACP session
   * is resumed when the agent can). Returns the run as marked. Not counted in
   * `restartCount`, which counts the restarts agentd did on its own (restart policy).
   */
  restart(key: RunKey): Promise<AgentRun> {
    return restartRun(this.#cx, key);
  }

  /** agentrun/delete: only stopped/error runs (-32001 otherwise); bundle and worktree go. */
  delete(key: RunKey, opts: RunWorktreeDeleteOptions = {}): Promise<void> {
    return deleteRun(this.#cx, key, opts);
  }

  /**
   * agentrun/watch: a watch session of the run's events from `fromSeq` into `sink`, checked
   * (unknown run, or `fromSeq` older than the retained log: -32602) but not started: the
   * caller registers it, then calls `start()`.
   */
  async watch(key: RunKey, opts: { fromSeq?: number; sink: WatchSink }): Promise<WatchSession> {
    this.bundlePathsOf(key);
    if (!await this.#cx.store.getRun(key)) throw notFound(key);
    // Refused up front rather than skipped: a client must know it missed events.
    await assertRetained(this.eventsDir(key), opts.fromSeq);
    return new WatchSession(this, key, opts.sink, opts.fromSeq);
  }

  /** workspace/send (see inbox_delivery.ts). */
  send(params: SendParams): Promise<SendResult> {
    return sendMessage(this.#cx, params);
  }

  /**
   * Re-attaches to every non-terminal run after agentd (re)starts and finishes interrupted
   * restarts (see recover.ts).
   */
  recover(): Promise<RecoverySummary> {
    return recoverRuns(this.#cx);
  }

  /**
   * Detaches from every agent-run without stopping it (they outlive agentd), persists the
   * event cursors and cancels timers. Background work is awaited.
   */
  async close(): Promise<void> {
    const cx = this.#cx;
    cx.close();
    for (const ctl of cx.ctls.values()) {
      clearTimeout(ctl.restartTimer);
      ctl.starting?.abort();
      for (const w of [...ctl.watches]) w.close();
      for (const wake of ctl.liveWaiters) wake();
    }
    const detaching: Promise<void>[] = [];
    for (const ctl of cx.ctls.values()) {
      const live = ctl.live;
      if (!live) continue;
      live.exited = true;
      detaching.push(
        live.consumer.close().finally(() => {
          live.client.close();
          live.child?.unref();
          live.resolveFinished();
        }),
      );
    }
    await Promise.allSettled(detaching);
    await Promise.allSettled([...cx.tasks]);
  }

  // ---------------------------------------------------------------- WatchHost

  bundlePathsOf(key: RunKey): BundlePaths {
    return this.#cx.bundlePathsOf(key);
  }

  liveSocket(key: RunKey): string | undefined {
    return this.#cx.liveSocket(key);
  }

  eventsDir(key: RunKey): string {
    return this.#cx.eventsDir(key);
  }

  applied(key: RunKey, seq: number): Promise<void> {
    return this.#cx.ctls.get(runId(key))?.live?.consumer.handled(seq, APPLIED_WAIT_MS) ??
      Promise.resolve();
  }

  waitLive(key: RunKey, signal: AbortSignal): Promise<void> {
    if (this.liveSocket(key) || signal.aborted || this.#cx.closing.aborted) {
      return Promise.resolve();
    }
    const ctl = this.#cx.ctl(key);
    return new Promise((resolve) => {
      const wake = () => {
        ctl.liveWaiters.delete(wake);
        signal.removeEventListener("abort", wake);
        resolve();
      };
      ctl.liveWaiters.add(wake);
      signal.addEventListener("abort", wake, { once: true });
    });
  }

  register(key: RunKey, session: WatchSession): void {
    this.#cx.ctl(key).watches.add(session);
  }

  unregister(key: RunKey, session: WatchSession): void {
    this.#cx.ctls.get(runId(key))?.watches.delete(session);
  }
}
