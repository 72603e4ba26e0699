/**
 * The state the parts of the run supervisor share (run_supervisor.ts wires them): options,
 * the per-run control state (live agent-run, start in flight, restart timer, watches), the
 * per-run queue and the background work.
 *
 * Concurrency: create/stop/restart/delete/recovery of one run are serialised by its queue
 * (`mutex`). Stop, restart and delete first abort an in-flight start and cancel a pending
 * automatic restart (`interrupt`), so they never wait for a slow bootstrap and a start can
 * never overwrite their outcome. Prompts do not queue: they reserve idle→running with a store
 * check-and-set (phase.ts).
 */
import { SandboxProbe } from "../../runner/launch/mod.ts";
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import { ConflictError, errorMessage, NotFoundError } from "../../specs/errors.ts";
import type { AgentExitPayload } from "../../specs/events.ts";
import type { McpServer, RuntimeState } from "../../specs/runtime.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import type { RootPaths } from "../context.ts";
import { type Logger, silentLogger } from "../logging.ts";
import type { Store } from "../store/store.ts";
import type { MeshEndpointPort } from "../mesh/mesh_endpoints.ts";
import { type BundlePaths, bundlePaths } from "./bundle.ts";
import type { EventConsumer } from "./event_consumer.ts";
import { KeyedMutex } from "./keyed_mutex.ts";
import type { RunnerClient } from "./runner_client.ts";
import type { WatchSession } from "./watch.ts";

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
  /** agentd's per-run mesh endpoints (daemon/mesh/), opened for runs that get the mesh. */
  meshEndpoints?: MeshEndpointPort;
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

/** One live agent-run, attached. */
export interface Live {
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
  /** Connection drops in quick succession, and when the last one was (reconnect back-off). */
  drops?: number;
  lastDropAt?: number;
  /** agentd made the run idle at a turn_end; the agent-run's own idle event is then skipped. */
  idleAtTurnEnd?: boolean;
  /** Ids of permission requests waiting for a client (policy `ask`). */
  pendingPermissions: Set<string>;
  exited: boolean;
  /** Resolves when the process is gone. */
  gone: Promise<ExitStatus>;
  /** Resolves when the exit has been handled (store written). */
  finished: Promise<void>;
  resolveFinished: () => void;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** Per-run control state (in memory). */
export interface Ctl {
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

/** A run's id in logs and messages: `workspace/name`. */
export function runId(key: RunKey): string {
  return `${key.workspace}/${key.name}`;
}

/** The steps that call each other across modules, wired by the supervisor (no import cycles). */
export interface RunSteps {
  /** Starts an agent-run for the run (in its queue); failures are recorded on the run. */
  startLocked(key: RunKey, ctl: Ctl, opts: { resume: boolean }): Promise<void>;
  /** Attaches to a listening agent-run: events, exit watch, phase. */
  attach(key: RunKey, ctl: Ctl, paths: BundlePaths, opts: AttachOptions): Promise<void>;
  /** Handles the end of an agent-run (store, restart policy). */
  onGone(live: Live, exit: ExitStatus): Promise<void>;
  /** Delivers the oldest inbox message, in the background, if the run is idle. */
  drainSoon(key: RunKey): void;
}

export interface AttachOptions {
  pid: number;
  child?: Deno.ChildProcess;
  peer: RpcPeer;
  fresh: boolean;
  status?: { state: RuntimeState; lastSeq: number };
}

/** What the supervisor's parts share: deps, per-run control state, background work. */
export class RunContext {
  readonly store: Store;
  readonly paths: RootPaths;
  readonly log: Logger;
  readonly opts: RunSupervisorOptions;
  readonly timeouts: StopTimeouts;
  /** Serialises create/stop/restart/delete/recovery of one run. */
  readonly mutex = new KeyedMutex();
  readonly ctls = new Map<string, Ctl>();
  readonly #closing = new AbortController();
  /** Background work (exit handling, restarts) so close() can wait for it. */
  readonly tasks = new Set<Promise<unknown>>();
  readonly steps: RunSteps;
  /** Whether bwrap works here, asked once per daemon (specs/runtime.md §Sandbox). */
  readonly sandboxProbe: SandboxProbe;

  constructor(opts: RunSupervisorOptions, steps: (cx: RunContext) => RunSteps) {
    this.opts = opts;
    this.store = opts.store;
    this.paths = opts.paths;
    this.log = (opts.logger ?? silentLogger).child("runs");
    this.timeouts = { ...DEFAULT_STOP_TIMEOUTS, ...opts.stopTimeouts };
    this.sandboxProbe = opts.sandboxProbe ??
      new SandboxProbe({
        pathEnv: (opts.env ?? Deno.env.toObject()).PATH,
        denoPath: opts.denoPath,
      });
    this.steps = steps(this);
  }

  /** Aborted when the supervisor closes. */
  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  close(): void {
    this.#closing.abort();
  }

  bundlePathsOf(key: RunKey): BundlePaths {
    return bundlePaths(this.paths.runs, key.workspace, key.name);
  }

  eventsDir(key: RunKey): string {
    return this.bundlePathsOf(key).events;
  }

  /** The run's live agent-run, if it has one that has not exited. */
  live(key: RunKey): Live | undefined {
    const live = this.ctls.get(runId(key))?.live;
    return live && !live.exited ? live : undefined;
  }

  liveSocket(key: RunKey): string | undefined {
    return this.live(key)?.paths.socket;
  }

  ctl(key: RunKey): Ctl {
    const id = runId(key);
    let ctl = this.ctls.get(id);
    if (!ctl) {
      ctl = {
        attempt: -1,
        generation: 0,
        liveWaiters: new Set(),
        watches: new Set(),
        logWarned: 0,
      };
      this.ctls.set(id, ctl);
    }
    return ctl;
  }

  /** Cancels queued/pending work on the run: bumps the generation, aborts a start. */
  interrupt(key: RunKey): Ctl {
    const ctl = this.ctl(key);
    ctl.generation++;
    clearTimeout(ctl.restartTimer);
    ctl.restartTimer = undefined;
    ctl.starting?.abort();
    return ctl;
  }

  background(p: Promise<unknown>): void {
    const task = p.catch((err) =>
      this.log.error("background run task failed", { error: errorMessage(err) })
    );
    this.tasks.add(task);
    task.finally(() => this.tasks.delete(task));
  }

  /** The stored run plus what only the live agent-run knows: lastSeq, pending permissions. */
  overlay(run: AgentRun): AgentRun {
    const live = this.live({ workspace: run.metadata.workspace, name: run.metadata.name });
    if (!live) return run;
    const status = { ...run.status, pendingPermissions: live.pendingPermissions.size };
    if (live.consumer.lastSeq > (run.status.lastSeq ?? -1)) status.lastSeq = live.consumer.lastSeq;
    return { ...run, status };
  }

  /** The live agent-run; -32602 for an unknown run, -32001 when none is live. */
  async requireLive(key: RunKey): Promise<Live> {
    const live = this.live(key);
    if (live) return live;
    const run = await this.store.getRun(key);
    if (!run) throw notFound(key);
    throw new ConflictError(`agent ${runId(key)} is not running (phase=${run.status.phase})`);
  }
}

/** The NotFoundError for a run that does not exist. */
export function notFound(key: RunKey): NotFoundError {
  return new NotFoundError(`agent ${runId(key)} not found`);
}
