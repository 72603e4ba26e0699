/**
 * The lifecycle of AgentRuns inside agentd: start an agent-run on a bundle, follow its
 * events, stop it (its whole process group), restart it on the same bundle (same event log,
 * resumed ACP session), apply the restart policy when it ends on its own, and re-attach to
 * live agent-runs after agentd restarts.
 *
 * Concurrency: create/stop/restart/delete/recovery of one run are serialised by a per-run
 * queue (KeyedMutex). Stop, restart and delete first abort an in-flight start and cancel a
 * pending automatic restart, so they never wait for a slow bootstrap and a start can never
 * overwrite their outcome (the races of §16.9). Prompts do not queue: they reserve
 * idle→running with a store check-and-set.
 *
 * Phase authority: after bootstrap the agent-run's events decide idle/running; agentd writes
 * only the idle→running reservation, and creating/restarting/stopped/error.
 */
import { SandboxProbe } from "../../runner/launch/mod.ts";
import { appliedSandbox } from "../../specs/sandbox.ts";
import { checkRunSandbox, runSandbox } from "./run_sandbox.ts";
import type {
  Agent,
  AgentRun,
  AgentRunPermissions,
  AgentRunRuntimeStatus,
  AriRespondPermissionParams,
  LastExit,
  PromptAccepted,
  RunKey,
  SendParams,
  SendResult,
} from "../../specs/ari.ts";
import {
  ConflictError,
  errorMessage,
  InvalidParamsError,
  NotFoundError,
} from "../../specs/errors.ts";
import type {
  AgentExitPayload,
  AgentRunEvent,
  ContentBlock,
  PermissionAnswer,
  Phase,
} from "../../specs/events.ts";
import { assertRetained } from "../../specs/eventlog/assert_retained.ts";
import { eventFileStats } from "../../specs/eventlog/event_file_stats.ts";
import { readEventFiles } from "../../specs/eventlog/read_event_files.ts";
import { delay } from "../../specs/lib/delay.ts";
import { withTimeout } from "../../specs/lib/with_timeout.ts";
import { assertName } from "../../specs/names.ts";
import type { EventLogInfo, McpServer, RuntimeState } from "../../specs/runtime.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import type { RootPaths } from "../context.ts";
import { type Logger, silentLogger } from "../logging.ts";
import { PhaseConflictError } from "../store/errors.ts";
import type { Store } from "../store/store.ts";
import {
  type BundlePaths,
  bundlePaths,
  composeConfig,
  DEFAULT_STARTUP_SECONDS,
  readConfig,
  readState,
  removeBundle,
  writeBundle,
} from "./bundle.ts";
import { EventConsumer } from "./event_consumer.ts";
import { messagePrompt } from "./inbox.ts";
import { KeyedMutex } from "./keyed_mutex.ts";
import {
  agentExitReason,
  forEachLimited,
  isAttachable,
  type Probe,
  RECOVERABLE_PHASES,
  recoveryAction,
} from "./recovery.ts";
import { backoffDelay, nextAttempt, shouldRestart } from "./restart_policy.ts";
import { RunnerClient } from "./runner_client.ts";
import {
  AGENT_ENV_ALLOW,
  agentNeedle,
  killAgentGroup,
  pickEnv,
  pidAlive,
  pidMatches,
  RUNNER_ENV_ALLOW,
  signalGroup,
  spawnAgentRun,
  waitForSocket,
  waitPidGone,
} from "./spawn.ts";
import { type WatchHost, WatchSession } from "./watch.ts";

export interface StopTimeouts {
  /** Bound on the `runtime/stop` call. */
  stopRpcMs: number;
  /** Wait for the agent-run to exit after `runtime/stop`. */
  gracefulMs: number;
  /** Wait after SIGTERM to the group before SIGKILL. */
  termMs: number;
  /** Wait after SIGKILL. */
  killMs: number;
}

export const DEFAULT_STOP_TIMEOUTS: StopTimeouts = {
  stopRpcMs: 5_000,
  gracefulMs: 10_000,
  termMs: 2_000,
  killMs: 2_000,
};

export interface RunSupervisorOptions {
  store: Store;
  paths: RootPaths;
  logger?: Logger;
  /** agentd's environment, from which agents and agent-runs get their allow-listed part. */
  env?: Record<string, string>;
  /** The deno binary that runs agent-runs (default Deno.execPath()). */
  denoPath?: string;
  /** Forwarded to agent-runs as --log-level. */
  logLevel?: string;
  /** The workspace-mesh MCP server to inject into a run, if any. */
  meshServer?: (workspace: string, name: string) => McpServer | undefined;
  stopTimeouts?: Partial<StopTimeouts>;
  /** How many runs recovery probes at once. */
  recoveryConcurrency?: number;
  /** Default `spec.eventLog.maxSegments` for runs that do not set it (0/absent = keep all). */
  eventMaxSegments?: number;
  /** Warn when a run's event log, kept whole, passes each multiple of this; default 1 GiB. */
  eventLogWarnBytes?: number;
  /** This daemon's bwrap probe (asked once); default one of the supervisor's own. */
  sandboxProbe?: SandboxProbe;
}

/** Default size at which an event log kept whole (no retention) is logged as a warning. */
export const EVENT_LOG_WARN_BYTES = 1024 ** 3;

export interface RecoverySummary {
  attached: number;
  stopped: number;
  failed: number;
  restarted: number;
}

/** One live agent-run, attached. */
interface Live {
  key: RunKey;
  id: string;
  paths: BundlePaths;
  pid: number;
  child?: Deno.ChildProcess;
  client: RunnerClient;
  consumer: EventConsumer;
  /** Events up to this seq were emitted before we attached: they do not move the phase. */
  attachSeq: number;
  startedAt: number;
  /** Set when agentd asked it to stop; the exit is then not a failure. */
  stopping: boolean;
  /** Phase written when it has exited after agentd stopped it. */
  stopPhase: "stopped" | "restarting";
  agentExit?: AgentExitPayload;
  /** Ids of permission requests waiting for a client (policy `ask`). */
  pendingPermissions: Set<string>;
  exited: boolean;
  /** Resolves when the process is gone. */
  gone: Promise<ExitStatus>;
  /** Resolves when the exit has been handled (store written). */
  finished: Promise<void>;
  resolveFinished: () => void;
}

interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** Per-run control state (in memory). */
interface Ctl {
  live?: Live;
  /** Aborts the start in flight. */
  starting?: AbortController;
  restartTimer?: ReturnType<typeof setTimeout>;
  /** Backoff attempt of the last automatic restart (-1: none yet). */
  attempt: number;
  /** Bumped by stop/restart/delete: queued work of an older generation is dropped. */
  generation: number;
  liveWaiters: Set<() => void>;
  watches: Set<WatchSession>;
  /** Multiples of eventLogWarnBytes already warned about. */
  logWarned: number;
}

const ACTIVE_PHASES: readonly Phase[] = ["creating", "idle", "running", "restarting"];
const TERMINAL_PHASES: readonly Phase[] = ["stopped", "error"];

function runId(key: RunKey): string {
  return `${key.workspace}/${key.name}`;
}

export class RunSupervisor implements WatchHost {
  readonly #store: Store;
  readonly #paths: RootPaths;
  readonly #log: Logger;
  readonly #opts: RunSupervisorOptions;
  readonly #timeouts: StopTimeouts;
  readonly #mutex = new KeyedMutex();
  readonly #ctls = new Map<string, Ctl>();
  readonly #closing = new AbortController();
  /** Background work (exit handling, restarts) so close() can wait for it. */
  readonly #tasks = new Set<Promise<unknown>>();

  readonly #probe: SandboxProbe;

  constructor(opts: RunSupervisorOptions) {
    this.#opts = opts;
    this.#probe = opts.sandboxProbe ??
      new SandboxProbe({ pathEnv: this.#env().PATH, denoPath: opts.denoPath });
    this.#store = opts.store;
    this.#paths = opts.paths;
    this.#log = (opts.logger ?? silentLogger).child("runs");
    this.#timeouts = { ...DEFAULT_STOP_TIMEOUTS, ...opts.stopTimeouts };
    const max = opts.eventMaxSegments;
    if (max !== undefined && !(Number.isSafeInteger(max) && max >= 0)) {
      throw new RangeError("eventMaxSegments must be an integer >= 0");
    }
  }

  // ---------------------------------------------------------------- public API

  /**
   * agentrun/create: validates, records the run as `creating` and starts it in the
   * background. Agent missing or disabled → -32602 (checked atomically with the create, so
   * a concurrent agent/delete cannot slip in); workspace missing -32602 / not ready -32001
   * and duplicate -32001 (from the store).
   */
  async create(
    input: Omit<AgentRun, "kind" | "status"> & { kind?: "AgentRun" },
  ): Promise<AgentRun> {
    const key = { workspace: input.metadata.workspace, name: input.metadata.name };
    const paths = this.bundlePathsOf(key);
    await checkRunSandbox(this.#probe, await this.#store.getAgent(input.spec.agent), input);
    const run = await this.#store.createRun({
      metadata: input.metadata,
      spec: input.spec,
      status: { phase: "creating", bundle: paths.dir, socketPath: paths.socket, restartCount: 0 },
    }, { requireAgent: true });
    const ctl = this.#ctl(key);
    ctl.generation++;
    const gen = ctl.generation;
    this.#background(this.#mutex.run(runId(key), async () => {
      if (ctl.generation !== gen) return;
      await this.#startLocked(key, ctl, { resume: false });
    }));
    return run;
  }

  /** The run with live fields (lastSeq) filled in; -32602 when absent. */
  async get(key: RunKey): Promise<AgentRun> {
    const run = await this.#store.getRun(key);
    if (!run) throw notFound(key);
    return this.#overlay(run);
  }

  async list(query: Parameters<Store["listRuns"]>[0] = {}): Promise<AgentRun[]> {
    return (await this.#store.listRuns(query)).map((r) => this.#overlay(r));
  }

  /**
   * agentrun/prompt: reserves idle→running, hands the prompt to the agent-run and returns at
   * once with the seq the turn's events start from. A delivery failure is reported on the
   * run (errorMessage, phase from the agent-run), never dropped.
   */
  async prompt(key: RunKey, prompt: ContentBlock[]): Promise<PromptAccepted> {
    const live = await this.#requireLive(key);
    await this.#store.casRun(key, ["idle"], (r) => {
      r.status.phase = "running";
      delete r.status.errorMessage;
    }, { message: (p) => `agent ${runId(key)} is not idle (phase=${p})` });
    const fromSeq = await this.#nextSeq(live);
    this.#dispatch(live, prompt);
    return { accepted: true, fromSeq };
  }

  /** agentrun/cancel: forwards session/cancel; -32001 when no agent-run is live. */
  async cancel(key: RunKey): Promise<void> {
    const live = await this.#requireLive(key);
    await live.client.cancel();
  }

  /** agentrun/set_model: forwards session/set_model; -32001 when no agent-run is live. */
  async setModel(key: RunKey, modelId: string): Promise<void> {
    const live = await this.#requireLive(key);
    await live.client.setModel(modelId);
  }

  /** agentrun/set_mode: forwards session/set_mode; -32001 when no agent-run is live. */
  async setMode(key: RunKey, modeId: string): Promise<void> {
    const live = await this.#requireLive(key);
    await live.client.setMode(modeId);
  }

  /** agentrun/permissions: the live agent-run's pending requests; -32001 without one. */
  async permissions(key: RunKey): Promise<AgentRunPermissions> {
    const live = await this.#requireLive(key);
    return await live.client.permissions();
  }

  /**
   * agentrun/respond_permission: forwards session/respond_permission; -32001 without a live
   * agent-run, -32602 (from the agent-run) for an unknown request or option.
   */
  async respondPermission(
    key: RunKey,
    p: Omit<AriRespondPermissionParams, keyof RunKey>,
  ): Promise<PermissionAnswer> {
    const live = await this.#requireLive(key);
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
    const run = await this.#store.getRun(key);
    if (!run) throw notFound(key);
    const live = this.#ctls.get(runId(key))?.live;
    let failure: unknown;
    if (live && !live.exited) {
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
    if (!await this.#store.getRun(key)) throw notFound(key);
    const ctl = this.#interrupt(key);
    await this.#mutex.run(runId(key), () => this.#stopLocked(key, ctl, "stopped"));
    return await this.get(key);
  }

  /**
   * agentrun/restart: marks the run `restarting` and, in the background, stops it if needed
   * and starts a new agent-run on the same bundle (event log and seq continue; the ACP session
   * is resumed when the agent can). Returns the run as marked. Not counted in
   * `restartCount`, which counts the restarts agentd did on its own (restart policy).
   */
  async restart(key: RunKey): Promise<AgentRun> {
    if (!await this.#store.getRun(key)) throw notFound(key);
    const ctl = this.#interrupt(key);
    const gen = ctl.generation;
    const marked = await this.#store.updateRun(key, (r) => {
      r.status.phase = "restarting";
      delete r.status.errorMessage;
    });
    this.#background(this.#mutex.run(runId(key), async () => {
      if (ctl.generation !== gen) return;
      if (ctl.live) await this.#terminate(ctl.live, "restarting");
      if (ctl.generation !== gen) return;
      await this.#store.updateRun(key, (r) => {
        r.status.phase = "restarting";
      });
      await this.#startLocked(key, ctl, { resume: true });
    }));
    return this.#overlay(marked);
  }

  /** agentrun/delete: only stopped/error runs (-32001 otherwise); removes the bundle. */
  async delete(key: RunKey): Promise<void> {
    const run = await this.#store.getRun(key);
    if (!run) throw notFound(key);
    if (!TERMINAL_PHASES.includes(run.status.phase)) {
      throw new ConflictError(
        `agent ${
          runId(key)
        } is ${run.status.phase}; stop it before deleting (phase must be stopped or error)`,
      );
    }
    const ctl = this.#interrupt(key);
    await this.#mutex.run(runId(key), async () => {
      if (ctl.live) await this.#terminate(ctl.live, "stopped");
      await this.#store.deleteRun(key, {
        expectedPhases: TERMINAL_PHASES,
        message: (p) => `agent ${runId(key)} is ${p}; stop it before deleting`,
      });
      await removeBundle(this.bundlePathsOf(key));
      for (const w of [...ctl.watches]) w.end();
      this.#ctls.delete(runId(key));
    });
  }

  /** agentrun/watch: starts a watch session on the ARI connection `peer`. */
  async watch(
    peer: RpcPeer,
    params: RunKey & { watchId: string; fromSeq?: number },
  ): Promise<{ watchId: string }> {
    const key = { workspace: params.workspace, name: params.name };
    this.bundlePathsOf(key);
    if (!await this.#store.getRun(key)) throw notFound(key);
    // Refused up front rather than skipped: a client must know it missed events.
    await assertRetained(this.eventsDir(key), params.fromSeq);
    return new WatchSession(this, peer, key, params.watchId, params.fromSeq).start();
  }

  /** workspace/send (see inbox.ts). */
  async send(params: SendParams): Promise<SendResult> {
    const ws = assertName(params.workspace, "workspace");
    const from = assertName(params.from, "from");
    const to = assertName(params.to, "to");
    if (!await this.#store.getRun({ workspace: ws, name: from })) {
      throw new InvalidParamsError(`sender ${ws}/${from} is not an agent in workspace ${ws}`);
    }
    const key = { workspace: ws, name: to };
    const target = await this.#store.getRun(key);
    if (!target) throw new InvalidParamsError(`target agent ${ws}/${to} not found`);
    const live = this.#ctls.get(runId(key))?.live;
    if (target.status.phase === "idle" && (!live || live.exited)) {
      throw new ConflictError(`target agent ${ws}/${to} is not running`);
    }
    const msg = {
      from,
      message: params.message,
      ...(params.needsReply === undefined ? {} : { needsReply: params.needsReply }),
    };
    const res = await this.#store.reserveOrEnqueue(key, msg, {
      reserve: (r) => {
        r.status.phase = "running";
        delete r.status.errorMessage;
      },
      message: (p) => `target agent ${ws}/${to} is not running (phase=${p})`,
    });
    if (!res.reserved) return { delivered: false, queued: true };
    const current = this.#ctls.get(runId(key))?.live;
    if (!current || current.exited) {
      // It left between the check and the reservation: report it on the run.
      await this.#reportPromptFailure(key, undefined, new Error("agent-run is gone"));
      throw new ConflictError(`target agent ${ws}/${to} is not running`);
    }
    this.#dispatch(current, messagePrompt(res.deliver.message, res.deliver));
    return res.queued ? { delivered: false, queued: true } : { delivered: true };
  }

  /**
   * Re-attaches to every non-terminal run after agentd (re)starts and finishes interrupted
   * restarts. Runs whose agent-run died meanwhile get their restart policy: marked
   * `restarting` (counted) and started again after the backoff, in the background, so
   * recovery does not wait for them; the others are marked stopped (creating → error).
   * Afterwards nothing is left in creating/restarting without an agent-run on its way.
   */
  async recover(): Promise<RecoverySummary> {
    const runs = await this.#store.listRuns({ phase: RECOVERABLE_PHASES });
    const summary: RecoverySummary = { attached: 0, stopped: 0, failed: 0, restarted: 0 };
    await forEachLimited(runs, this.#opts.recoveryConcurrency ?? 16, async (run) => {
      const key = { workspace: run.metadata.workspace, name: run.metadata.name };
      try {
        const outcome = await this.#mutex.run(runId(key), () => this.#recoverLocked(run));
        summary[outcome]++;
      } catch (err) {
        summary.failed++;
        this.#log.error("recovery failed", { run: runId(key), error: errorMessage(err) });
      }
    });
    this.#log.info("recovery complete", { ...summary });
    return summary;
  }

  /**
   * Detaches from every agent-run without stopping it (they outlive agentd), persists the
   * event cursors and cancels timers. Background work is awaited.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    for (const ctl of this.#ctls.values()) {
      clearTimeout(ctl.restartTimer);
      ctl.starting?.abort();
      for (const w of [...ctl.watches]) w.close();
      for (const wake of ctl.liveWaiters) wake();
    }
    const detaching: Promise<void>[] = [];
    for (const ctl of this.#ctls.values()) {
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
    await Promise.allSettled([...this.#tasks]);
  }

  // ---------------------------------------------------------------- WatchHost

  bundlePathsOf(key: RunKey): BundlePaths {
    return bundlePaths(this.#paths.runs, key.workspace, key.name);
  }

  liveSocket(key: RunKey): string | undefined {
    const live = this.#ctls.get(runId(key))?.live;
    return live && !live.exited ? live.paths.socket : undefined;
  }

  eventsDir(key: RunKey): string {
    return this.bundlePathsOf(key).events;
  }

  waitLive(key: RunKey, signal: AbortSignal): Promise<void> {
    if (this.liveSocket(key) || signal.aborted || this.#closing.signal.aborted) {
      return Promise.resolve();
    }
    const ctl = this.#ctl(key);
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
    this.#ctl(key).watches.add(session);
  }

  unregister(key: RunKey, session: WatchSession): void {
    this.#ctls.get(runId(key))?.watches.delete(session);
  }

  // ---------------------------------------------------------------- internals: control

  #ctl(key: RunKey): Ctl {
    const id = runId(key);
    let ctl = this.#ctls.get(id);
    if (!ctl) {
      ctl = {
        attempt: -1,
        generation: 0,
        liveWaiters: new Set(),
        watches: new Set(),
        logWarned: 0,
      };
      this.#ctls.set(id, ctl);
    }
    return ctl;
  }

  /** Cancels queued/pending work on the run: bumps the generation, aborts a start. */
  #interrupt(key: RunKey): Ctl {
    const ctl = this.#ctl(key);
    ctl.generation++;
    clearTimeout(ctl.restartTimer);
    ctl.restartTimer = undefined;
    ctl.starting?.abort();
    return ctl;
  }

  #background(p: Promise<unknown>): void {
    const task = p.catch((err) =>
      this.#log.error("background run task failed", { error: errorMessage(err) })
    );
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  /** The stored run plus what only the live agent-run knows: lastSeq, pending permissions. */
  #overlay(run: AgentRun): AgentRun {
    const live = this.#ctls.get(
      runId({ workspace: run.metadata.workspace, name: run.metadata.name }),
    )
      ?.live;
    if (!live || live.exited) return run;
    const status = { ...run.status, pendingPermissions: live.pendingPermissions.size };
    if (live.consumer.lastSeq > (run.status.lastSeq ?? -1)) status.lastSeq = live.consumer.lastSeq;
    return { ...run, status };
  }

  async #requireLive(key: RunKey): Promise<Live> {
    const live = this.#ctls.get(runId(key))?.live;
    if (live && !live.exited) return live;
    const run = await this.#store.getRun(key);
    if (!run) throw notFound(key);
    throw new ConflictError(`agent ${runId(key)} is not running (phase=${run.status.phase})`);
  }

  async #nextSeq(live: Live): Promise<number> {
    try {
      return (await live.client.status()).recovery.lastSeq + 1;
    } catch {
      return live.consumer.lastSeq + 1;
    }
  }

  /** Sends session/prompt; its result is awaited in the background and failures reported. */
  #dispatch(live: Live, prompt: ContentBlock[]): void {
    this.#background(
      live.client.prompt(prompt).then(
        () => {},
        (err) => this.#reportPromptFailure(live.key, live, err),
      ),
    );
  }

  async #reportPromptFailure(key: RunKey, live: Live | undefined, err: unknown): Promise<void> {
    // On agentd shutdown the connection closes under the turn, which goes on: not a failure.
    if (this.#closing.signal.aborted) return;
    const message = `prompt failed: ${errorMessage(err)}`;
    this.#log.warn("prompt failed", { run: runId(key), error: errorMessage(err) });
    let phase: Phase | undefined;
    if (live && !live.exited && !live.client.isClosed) {
      try {
        phase = (await live.client.status()).state.phase;
      } catch {
        phase = undefined;
      }
    }
    if (live && phase !== "idle" && phase !== "running") {
      // The agent-run is leaving (or left): its exit handling sets the phase; add the reason.
      if (await withTimeout(live.gone, 5_000)) {
        await live.finished;
        await this.#store.updateRun(key, (r) => {
          r.status.errorMessage = r.status.errorMessage
            ? `${r.status.errorMessage}; ${message}`
            : message;
        }).catch(() => {});
        return;
      }
    }
    await this.#store.casRun(key, ["idle", "running"], (r) => {
      if (phase === "idle" || phase === "running") {
        r.status.phase = phase;
        r.status.errorMessage = message;
      } else {
        r.status.phase = "error";
        r.status.errorMessage = `${message} (agent-run unreachable)`;
      }
    }).catch(() => {});
    if (phase === "idle") this.#drainSoon(key);
  }

  // ---------------------------------------------------------------- internals: start

  async #startLocked(key: RunKey, ctl: Ctl, opts: { resume: boolean }): Promise<void> {
    const abort = new AbortController();
    ctl.starting = abort;
    try {
      await this.#start(key, ctl, opts, abort.signal);
    } catch (err) {
      await this.#markStartFailed(key, abort.signal, errorMessage(err));
    } finally {
      if (ctl.starting === abort) ctl.starting = undefined;
    }
  }

  async #markStartFailed(key: RunKey, signal: AbortSignal, message: string): Promise<void> {
    this.#log.warn("agent-run start failed", { run: runId(key), error: message });
    await this.#store.updateRun(key, (r) => {
      delete r.status.pid;
      if (signal.aborted) {
        r.status.phase = "stopped";
      } else {
        r.status.phase = "error";
        r.status.errorMessage = message;
      }
    }).catch(() => {});
  }

  async #start(key: RunKey, ctl: Ctl, opts: { resume: boolean }, signal: AbortSignal) {
    const run = await this.#store.getRun(key);
    if (!run) return;
    const agent = await this.#store.getAgent(run.spec.agent);
    if (!agent) throw new Error(`agent ${run.spec.agent} not found`);
    if (agent.spec.disabled) throw new Error(`agent ${run.spec.agent} is disabled`);
    const ws = await this.#store.getWorkspace(key.workspace);
    if (!ws?.status.path) throw new Error(`workspace ${key.workspace} has no directory`);
    const paths = this.bundlePathsOf(key);
    const baseEnv = pickEnv(AGENT_ENV_ALLOW, this.#env());
    const injectedMcpServers = this.#meshServers(key, ws.spec.features);
    const sandbox = await runSandbox(this.#probe, agent, run, {
      pathEnv: baseEnv.PATH,
      root: this.#paths.root,
      mcpServers: [...injectedMcpServers, ...run.spec.mcpServers ?? []],
    });
    const config = composeConfig({
      run,
      agent,
      workspace: ws,
      baseEnv,
      sandbox,
      injectedMcpServers,
      resumeSessionId: opts.resume ? run.status.sessionId : undefined,
      eventMaxSegments: this.#opts.eventMaxSegments,
    });
    await writeBundle(paths, config, ws.status.path, run.spec.workflowFile);
    await this.#clearLeftover(paths, run);
    if (signal.aborted) throw new Error("start aborted");
    const child = this.#spawn(paths);
    this.#log.info("agent-run started", { run: runId(key), pid: child.pid });
    await this.#store.updateRun(key, (r) => {
      r.status.pid = child.pid;
      r.status.bundle = paths.dir;
      r.status.socketPath = paths.socket;
      r.status.eventPath = paths.events;
      r.status.sandbox = appliedSandbox(sandbox);
    });
    const status = child.status.then((s) => s);
    let peer: RpcPeer;
    try {
      peer = await waitForSocket(paths.socket, {
        timeoutMs: startupMs(agent),
        exited: status,
        signal,
      });
      if (signal.aborted) {
        peer.close();
        throw new Error("start aborted");
      }
    } catch (err) {
      const state = await this.#abandon(paths, child);
      const why = state?.errorMessage
        ? `: ${state.errorMessage}`
        : state?.reason
        ? ` (agent-run: ${state.reason})`
        : "";
      throw new Error(`${errorMessage(err)}${why}`);
    }
    try {
      await this.#attach(key, ctl, paths, { pid: child.pid, child, peer, fresh: true });
    } catch (err) {
      await this.#abandon(paths, child);
      throw err;
    }
  }

  /**
   * Gets rid of an agent-run that did not start properly, and of its agent: SIGTERM lets it
   * stop its agent itself; SIGKILL (and a kill of the agent's own group) if it does not.
   */
  async #abandon(
    paths: BundlePaths,
    child: Deno.ChildProcess,
  ): Promise<RuntimeState | undefined> {
    signalGroup(child.pid, "SIGTERM");
    if (!await withTimeout(child.status, this.#timeouts.termMs + 2_000)) {
      signalGroup(child.pid, "SIGKILL");
      await child.status;
    }
    const state = await readState(paths);
    await this.#killLeftoverAgent(paths, state);
    return state;
  }

  #spawn(paths: BundlePaths): Deno.ChildProcess {
    return spawnAgentRun(paths.dir, {
      env: pickEnv(RUNNER_ENV_ALLOW, this.#env()),
      denoPath: this.#opts.denoPath,
      logLevel: this.#opts.logLevel,
    });
  }

  #env(): Record<string, string> {
    return this.#opts.env ?? Deno.env.toObject();
  }

  #meshServers(key: RunKey, features?: Record<string, boolean>): McpServer[] {
    if (features?.workspaceMesh === false) return [];
    const s = this.#opts.meshServer?.(key.workspace, key.name);
    return s ? [s] : [];
  }

  /** An agent-run still serving this bundle (orphaned somehow) is stopped before a new one. */
  async #clearLeftover(paths: BundlePaths, run: AgentRun): Promise<void> {
    const state = await readState(paths);
    for (const pid of [state?.runnerPid, run.status.pid]) {
      if (pid && pidMatches(pid, paths.dir)) {
        signalGroup(pid, "SIGKILL");
        await waitPidGone(pid, 2_000);
      }
    }
    await this.#killLeftoverAgent(paths, state);
  }

  /** The agent's own group, when its agent-run died without taking it along. */
  async #killLeftoverAgent(paths: BundlePaths, state: RuntimeState | undefined): Promise<void> {
    if (!state?.pid || state.exitSignal || typeof state.exitCode === "number") return;
    const config = await readConfig(paths);
    if (!config) return;
    await killAgentGroup(state.pid, agentNeedle(config.process.command, config.process.args));
  }

  // ---------------------------------------------------------------- internals: attach

  async #attach(
    key: RunKey,
    ctl: Ctl,
    paths: BundlePaths,
    opts: {
      pid: number;
      child?: Deno.ChildProcess;
      peer: RpcPeer;
      fresh: boolean;
      status?: { state: RuntimeState; lastSeq: number };
    },
  ): Promise<void> {
    const client = new RunnerClient(paths.socket, opts.peer);
    let st = opts.status;
    if (!st) {
      const s = await client.status();
      st = { state: s.state, lastSeq: s.recovery.lastSeq };
    }
    // Taken after the status: requests up to its lastSeq are in it, later ones come as events.
    const waiting = await client.permissions().catch(() => ({ items: [] }));
    const cursor = (await this.#store.getCursor(key)) ?? -1;
    let resolveFinished!: () => void;
    const finished = new Promise<void>((r) => (resolveFinished = r));
    const live: Live = {
      key,
      id: runId(key),
      paths,
      pid: opts.pid,
      child: opts.child,
      client,
      consumer: undefined as unknown as EventConsumer,
      attachSeq: st.lastSeq,
      startedAt: Date.now(),
      stopping: false,
      stopPhase: "stopped",
      pendingPermissions: new Set(waiting.items.map((i) => i.requestId)),
      exited: false,
      gone: undefined as unknown as Promise<ExitStatus>,
      finished,
      resolveFinished,
    };
    live.consumer = new EventConsumer({
      fromSeq: cursor + 1,
      onEvent: (ev) => this.#onEvent(live, ev),
      saveCursor: (seq) => this.#store.advanceCursor(key, seq),
      onSkipped: (from, to) =>
        this.#log.warn("events removed by retention before agentd read them", {
          run: runId(key),
          from,
          to,
        }),
    });
    live.gone = opts.child
      ? opts.child.status.then((s) => ({ code: s.signal ? null : s.code, signal: s.signal }))
      : this.#pollGone(live);
    try {
      await live.consumer.start(opts.peer);
    } catch (err) {
      opts.peer.close();
      throw err;
    }
    ctl.live = live;
    live.gone.then((exit) => this.#background(this.#onGone(live, exit)));
    opts.peer.closed.then(() => this.#onDisconnect(live));

    const phase = st.state.phase;
    await this.#store.updateRun(key, (r) => {
      r.status.pid = opts.pid;
      r.status.bundle = paths.dir;
      r.status.socketPath = paths.socket;
      r.status.eventPath = paths.events;
      r.status.lastSeq = Math.max(st.lastSeq, r.status.lastSeq ?? -1);
      if (st.state.eventLog) setLogStatus(r, st.state.eventLog);
      if (st.state.sessionId) r.status.sessionId = st.state.sessionId;
      if (opts.fresh) delete r.status.errorMessage;
      if (phase === "idle" || phase === "running") r.status.phase = phase;
      // Still in its system-prompt turn: a restart is now a bootstrap like any other.
      else if (phase === "creating" && r.status.phase === "restarting") {
        r.status.phase = "creating";
      }
    });
    this.#log.info("agent-run attached", { run: live.id, pid: opts.pid, phase, fresh: opts.fresh });
    if (st.state.eventLog) this.#warnLogSize(key, st.state.eventLog);
    for (const wake of [...ctl.liveWaiters]) wake();
    if (phase === "creating") this.#background(this.#settleBootstrap(live));
    if (phase === "idle") this.#drainSoon(key);
  }

  /** The agent-run listens before its bootstrap ended: poll until it reports a phase. */
  async #settleBootstrap(live: Live): Promise<void> {
    while (!live.exited && !this.#closing.signal.aborted) {
      await delay(100, { signal: this.#closing.signal });
      if (live.exited || this.#closing.signal.aborted) return;
      let phase: Phase;
      try {
        phase = (await live.client.status()).state.phase;
      } catch {
        return;
      }
      if (phase === "creating") continue;
      if (phase === "idle" || phase === "running") await this.#applyPhase(live, phase);
      if (phase === "idle") this.#drainSoon(live.key);
      return;
    }
  }

  /**
   * For a recovered agent-run (not our child): resolves when its pid is gone, or, when the
   * pid is unknown, when its connection is closed and stays closed.
   */
  async #pollGone(live: Live): Promise<ExitStatus> {
    const closing = this.#closing.signal;
    while (!live.exited && !closing.aborted) {
      if (live.pid > 1) {
        if (!pidAlive(live.pid)) break;
        // An exiting agent-run closes its socket first: poll fast from then on.
        if (live.client.isClosed) await delay(20, { signal: closing });
        else await delay(500, { signal: closing, wake: live.client.closed });
      } else {
        await live.client.closed;
        await delay(2_000, { signal: closing });
        if (live.client.isClosed) break;
      }
    }
    return { code: null, signal: null };
  }

  async #onEvent(live: Live, ev: AgentRunEvent): Promise<void> {
    switch (ev.type) {
      case "agent_exit":
        live.agentExit = ev.payload;
        return;
      case "permission_request":
        // Older requests are history: the list seeded at attach already holds the live ones.
        if (ev.seq > live.attachSeq) live.pendingPermissions.add(ev.payload.requestId);
        return;
      case "permission_resolved":
        live.pendingPermissions.delete(ev.payload.requestId);
        return;
      case "session_start": {
        const sessionId = ev.payload.sessionId;
        if (sessionId) {
          await this.#store.updateRun(live.key, (r) => {
            r.status.sessionId = sessionId;
          }).catch(() => {});
        }
        return;
      }
      case "runtime_update": {
        const change = ev.payload.phase;
        if (!change || change.phase === change.previousPhase) return;
        if (ev.seq <= live.attachSeq || live.exited) return;
        if (change.phase === "idle" || change.phase === "running") {
          await this.#applyPhase(live, change.phase, ev.seq);
          if (change.phase === "idle") {
            this.#drainSoon(live.key);
            this.#background(this.#refreshLog(live));
          }
        }
        return;
      }
    }
  }

  /**
   * After a turn: the log's size and oldest seq from the agent-run, onto the run. In the
   * background: a request from inside the event handler would wait behind the handler.
   */
  async #refreshLog(live: Live): Promise<void> {
    if (live.exited || live.client.isClosed) return;
    let log: EventLogInfo | undefined;
    try {
      log = (await live.client.status()).state.eventLog;
    } catch {
      return; // leaving: its exit records the size from the files
    }
    if (!log || live.exited) return;
    try {
      await this.#store.updateRun(live.key, (r) => setLogStatus(r, log));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    this.#warnLogSize(live.key, log);
  }

  /** Logs a warning each time a log kept whole passes another multiple of the threshold. */
  #warnLogSize(key: RunKey, log: EventLogInfo): void {
    const limit = this.#opts.eventLogWarnBytes ?? EVENT_LOG_WARN_BYTES;
    const ctl = this.#ctls.get(runId(key));
    if (!ctl || log.maxSegments !== 0 || !(limit > 0)) return;
    const level = Math.floor(log.bytes / limit);
    if (level <= ctl.logWarned) return;
    ctl.logWarned = level;
    this.#log.warn("event log keeps growing: nothing is removed (eventLog.maxSegments 0)", {
      run: runId(key),
      bytes: log.bytes,
      segments: log.segments,
      hint: "set spec.eventLog.maxSegments, or mass server --event-max-segments",
    });
  }

  /** Phase from the agent-run: only over creating/idle/running (never over our phases). */
  async #applyPhase(live: Live, phase: "idle" | "running", seq?: number): Promise<void> {
    try {
      await this.#store.casRun(live.key, ["creating", "idle", "running"], (r) => {
        r.status.phase = phase;
        if (seq !== undefined) r.status.lastSeq = seq;
        if (phase === "running") delete r.status.errorMessage;
      });
    } catch (err) {
      if (!(err instanceof PhaseConflictError) && !(err instanceof NotFoundError)) throw err;
    }
  }

  /** The connection dropped: a slow-consumer eviction is resumed; a dead process is not. */
  async #onDisconnect(live: Live): Promise<void> {
    if (live.exited || live.stopping || this.#closing.signal.aborted) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      await delay(100 * 2 ** attempt, { signal: this.#closing.signal });
      if (live.exited || live.stopping || this.#closing.signal.aborted) return;
      if (live.pid > 1 && !pidAlive(live.pid)) return; // gone: #onGone handles it
      try {
        const peer = await dialUnix(live.paths.socket, { connectTimeoutMs: 1_000 });
        const client = new RunnerClient(live.paths.socket, peer);
        live.client = client;
        await live.consumer.start(peer);
        peer.closed.then(() => this.#onDisconnect(live));
        this.#log.info("agent-run reconnected", { run: live.id });
        return;
      } catch {
        // try again
      }
    }
    if (live.exited || live.stopping || this.#closing.signal.aborted) return;
    // Alive but not answering: it cannot be controlled any more; leave no orphan.
    this.#log.warn("agent-run unreachable, killing its process group", { run: live.id });
    signalGroup(live.pid, "SIGKILL");
  }

  // ---------------------------------------------------------------- internals: exit

  async #onGone(live: Live, exit: ExitStatus): Promise<void> {
    if (live.exited) return live.resolveFinished();
    live.exited = true;
    live.pendingPermissions.clear();
    const ctl = this.#ctl(live.key);
    if (ctl.live === live) ctl.live = undefined;
    live.client.close();
    try {
      // Whatever the consumer missed before the socket closed is in the log.
      const from = live.consumer.lastSeq + 1;
      for await (const ev of readEventFiles(live.paths.events, from, { clamp: true })) {
        if (ev.type === "agent_exit") live.agentExit = ev.payload;
        live.consumer.advance(ev.seq);
      }
    } catch {
      // unreadable log: the cursor stays where it was
    }
    await live.consumer.close();
    const logFiles = await eventFileStats(live.paths.events).catch(() => undefined);
    // Stragglers of the agent-run's group, and the agent's own group.
    signalGroup(live.pid, "SIGKILL");
    const state = await readState(live.paths);
    if (!live.agentExit) await this.#killLeftoverAgent(live.paths, state);

    const lastExit = exitRecord(live, exit, state);
    const requested = live.stopping;
    const run = await this.#store.getRun(live.key);
    const restart = !requested && run !== undefined && run.status.phase !== "stopped" &&
      shouldRestart(run.spec.restartPolicy, {
        exitCode: lastExit.exitCode,
        signal: lastExit.signal,
        requested,
      });
    const upMs = Date.now() - live.startedAt;
    this.#log.info("agent-run exited", {
      run: live.id,
      requested,
      restart,
      ...lastExit,
    });
    try {
      await this.#store.updateRun(live.key, (r) => {
        delete r.status.pid;
        r.status.lastExit = lastExit;
        r.status.exitCode = lastExit.exitCode;
        r.status.lastSeq = Math.max(live.consumer.lastSeq, r.status.lastSeq ?? -1);
        if (logFiles) {
          r.status.eventLogBytes = logFiles.bytes;
          if (logFiles.firstSeq !== undefined) r.status.firstSeq = logFiles.firstSeq;
        }
        if (requested) {
          r.status.phase = live.stopPhase;
          delete r.status.errorMessage;
        } else if (restart) {
          r.status.phase = "restarting";
          r.status.errorMessage = lastExit.reason;
          r.status.restartCount = (r.status.restartCount ?? 0) + 1;
        } else if (r.status.phase !== "error") {
          // A run that never got through bootstrap is broken, not merely stopped.
          r.status.phase = state?.reason === "bootstrap-failed" ? "error" : "stopped";
          r.status.errorMessage = lastExit.reason;
        }
      });
      if (requested) await this.#store.clearStopIntent(live.key).catch(() => {});
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    } finally {
      live.resolveFinished();
    }
    if (restart && !this.#closing.signal.aborted) this.#scheduleRestart(live.key, upMs);
  }

  #scheduleRestart(key: RunKey, upMs: number): void {
    const ctl = this.#ctl(key);
    ctl.attempt = nextAttempt(ctl.attempt, upMs);
    const wait = backoffDelay(ctl.attempt);
    const gen = ctl.generation;
    clearTimeout(ctl.restartTimer);
    this.#log.info("restart scheduled", { run: runId(key), inMs: wait, attempt: ctl.attempt });
    ctl.restartTimer = setTimeout(() => {
      ctl.restartTimer = undefined;
      this.#background(this.#mutex.run(runId(key), async () => {
        if (ctl.generation !== gen || this.#closing.signal.aborted) return;
        const run = await this.#store.getRun(key);
        if (run?.status.phase !== "restarting" || ctl.live) return;
        await this.#startLocked(key, ctl, { resume: true });
      }));
    }, wait);
  }

  // ---------------------------------------------------------------- internals: stop

  async #stopLocked(key: RunKey, ctl: Ctl, phase: "stopped"): Promise<void> {
    if (ctl.live) {
      // Should agentd die before the exit is handled, recovery must not restart it by policy.
      await this.#store.setStopIntent(key, ctl.live.pid).catch(() => {});
      await this.#terminate(ctl.live, phase);
      return;
    }
    try {
      await this.#store.casRun(key, ACTIVE_PHASES, (r) => {
        r.status.phase = phase;
        delete r.status.pid;
      });
    } catch (err) {
      if (!(err instanceof PhaseConflictError)) throw err;
    }
  }

  /** runtime/stop → wait → SIGTERM group → wait → SIGKILL group; resolves once handled. */
  async #terminate(live: Live, stopPhase: "stopped" | "restarting"): Promise<void> {
    live.stopping = true;
    live.stopPhase = stopPhase;
    const t = this.#timeouts;
    if (!live.exited) {
      let graceful = t.gracefulMs;
      try {
        await live.client.stop(t.stopRpcMs);
      } catch {
        // Not answering (or already leaving): a short wait, then the signals do it.
        graceful = Math.min(graceful, 1_000);
      }
      let gone = await withTimeout(live.gone, graceful) !== undefined;
      if (!gone) {
        signalGroup(live.pid, "SIGTERM");
        gone = await withTimeout(live.gone, t.termMs) !== undefined;
      }
      if (!gone) {
        signalGroup(live.pid, "SIGKILL");
        gone = await withTimeout(live.gone, t.killMs) !== undefined;
      }
      if (!gone) {
        // Still there after SIGKILL (uninterruptible?): handle it as gone anyway.
        this.#background(this.#onGone(live, { code: null, signal: "SIGKILL" }));
      }
    }
    await live.finished;
  }

  // ---------------------------------------------------------------- internals: inbox

  #drainSoon(key: RunKey): void {
    this.#background(this.#drainInbox(key));
  }

  /** Delivers the oldest waiting message if the run is idle (one per turn). */
  async #drainInbox(key: RunKey): Promise<void> {
    const live = this.#ctls.get(runId(key))?.live;
    if (!live || live.exited) return;
    let taken;
    try {
      taken = await this.#store.takeInbox(key, ["idle"], (r) => {
        r.status.phase = "running";
        delete r.status.errorMessage;
      });
    } catch (err) {
      if (err instanceof PhaseConflictError || err instanceof NotFoundError) return;
      throw err;
    }
    if (!taken) return;
    this.#log.debug("inbox message delivered", { run: runId(key), seqNo: taken.entry.seqNo });
    this.#dispatch(live, messagePrompt(taken.entry.message, taken.entry));
  }

  // ---------------------------------------------------------------- internals: recovery

  /** Completes, after recovery, a stop that was under way when agentd went away. */
  #finishStop(key: RunKey, ctl: Ctl): void {
    const gen = ctl.generation;
    this.#background(this.#mutex.run(runId(key), async () => {
      if (ctl.generation !== gen || this.#closing.signal.aborted) return;
      await this.#stopLocked(key, ctl, "stopped");
    }));
  }

  async #recoverLocked(run: AgentRun): Promise<keyof RecoverySummary> {
    const key = { workspace: run.metadata.workspace, name: run.metadata.name };
    const ctl = this.#ctl(key);
    if (ctl.live) return "attached";
    const paths = this.bundlePathsOf(key);
    const socket = run.status.socketPath ?? paths.socket;
    let peer: RpcPeer | undefined;
    let probe: Probe;
    try {
      peer = await dialUnix(socket, { connectTimeoutMs: 1_000, requestTimeoutMs: 3_000 });
      const client = new RunnerClient(socket, peer);
      const st = await client.status(3_000);
      probe = { alive: true, state: st.state, lastSeq: st.recovery.lastSeq };
    } catch (err) {
      peer?.close();
      peer = undefined;
      probe = { alive: false, reason: errorMessage(err) };
    }
    // A stop agentrun/stop had begun when agentd went away (see #stopLocked).
    const intent = await this.#store.getStopIntent(key);
    if (peer && probe.alive && isAttachable(probe)) {
      const pid = probe.state.runnerPid ?? run.status.pid ?? 0;
      try {
        await this.#attach(key, ctl, paths, {
          pid,
          peer,
          fresh: false,
          status: { state: probe.state, lastSeq: probe.lastSeq },
        });
        if (intent === pid) this.#finishStop(key, ctl);
        else if (intent !== undefined) await this.#store.clearStopIntent(key);
        return "attached";
      } catch (err) {
        peer.close();
        probe = { alive: false, reason: errorMessage(err) };
      }
    }
    peer?.close();
    // Dead or dying: leave no process of it behind.
    const state = await readState(paths);
    for (const pid of [state?.runnerPid, run.status.pid]) {
      if (pid && pidMatches(pid, paths.dir)) signalGroup(pid, "SIGKILL");
    }
    await this.#killLeftoverAgent(paths, state);
    const stopRequested = intent !== undefined &&
      (intent === run.status.pid || intent === state?.runnerPid);
    const found: Probe = probe.alive ? probe : { ...probe, state };
    const decided = recoveryAction(run, found, { stopRequested });
    if (intent !== undefined) await this.#store.clearStopIntent(key);
    if (decided.kind === "finish-restart") {
      this.#background(this.#mutex.run(runId(key), async () => {
        if (this.#closing.signal.aborted || ctl.live) return;
        await this.#startLocked(key, ctl, { resume: true });
      }));
      return "restarted";
    }
    if (decided.kind === "restart") {
      // Counted and shown like a live exit; the start waits for the backoff, outside recovery.
      const { lastExit } = decided;
      await this.#store.updateRun(key, (r) => {
        r.status.phase = "restarting";
        r.status.errorMessage = lastExit.reason;
        r.status.lastExit = lastExit;
        r.status.exitCode = lastExit.exitCode;
        r.status.restartCount = (r.status.restartCount ?? 0) + 1;
        delete r.status.pid;
      });
      this.#log.warn("agent-run gone across daemon restart, restarting by policy", {
        run: runId(key),
        policy: run.spec.restartPolicy,
        reason: lastExit.reason,
      });
      if (!this.#closing.signal.aborted) this.#scheduleRestart(key, 0);
      return "restarted";
    }
    if (decided.kind === "mark") {
      await this.#store.updateRun(key, (r) => {
        r.status.phase = decided.phase;
        if (decided.errorMessage) r.status.errorMessage = decided.errorMessage;
        else delete r.status.errorMessage;
        delete r.status.pid;
        r.status.lastExit = decided.lastExit;
        r.status.exitCode = decided.lastExit.exitCode;
      });
      this.#log.warn("agent-run not recovered", {
        run: runId(key),
        phase: decided.phase,
        error: decided.errorMessage ?? decided.lastExit.reason,
      });
    }
    return "stopped";
  }
}

// ---------------------------------------------------------------- helpers

function setLogStatus(run: AgentRun, log: EventLogInfo): void {
  run.status.eventLogBytes = log.bytes;
  run.status.firstSeq = log.firstSeq;
}

function notFound(key: RunKey): NotFoundError {
  return new NotFoundError(`agent ${runId(key)} not found`);
}

function startupMs(agent: Agent): number {
  return (agent.spec.startupTimeoutSeconds ?? DEFAULT_STARTUP_SECONDS) * 1_000;
}

/** What ended the run, from the agent's exit (agent_exit / state.json) or the agent-run's. */
function exitRecord(live: Live, exit: ExitStatus, state: RuntimeState | undefined): LastExit {
  const time = new Date().toISOString();
  const ae = live.agentExit;
  if (ae) {
    return {
      exitCode: ae.exitCode,
      signal: ae.signal,
      reason: agentExitReason({
        exitCode: ae.exitCode,
        exitSignal: ae.signal,
        reason: ae.reason,
        errorMessage: state?.errorMessage,
      }),
      time,
    };
  }
  if (state && (typeof state.exitCode === "number" || state.exitSignal)) {
    return {
      exitCode: state.exitCode ?? null,
      signal: state.exitSignal ?? null,
      reason: agentExitReason(state),
      time,
    };
  }
  if (live.stopping) return { exitCode: exit.code, signal: exit.signal, reason: "stopped", time };
  const how = exit.signal
    ? `killed by ${exit.signal}`
    : exit.code !== null
    ? `exited with code ${exit.code}`
    : "exited unexpectedly (exit status unknown)";
  return {
    exitCode: exit.code,
    signal: exit.signal,
    reason: `agent-run ${how}`,
    time,
  };
}
