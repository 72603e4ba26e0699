/**
 * One agent-run: the lifecycle of `mass run` for one bundle (specs/runtime.md).
 *
 * open the event log → state `creating` → spawn the agent → ACP initialize + session
 * (bounded by the bootstrap timeout) → listen on the runner socket → system-prompt turn
 * (still `creating`) → `idle` ⇄ `running` → stop. Whatever ends it (runtime/stop, SIGTERM,
 * the agent exiting, a failed bootstrap, a turn that will not end), `#terminate` runs the
 * same sequence once: cancel the turn, stop the agent's process group with bounded waits,
 * record the exit in state.json and the event log, close the socket, resolve the exit code.
 */
import * as acp from "@agentclientprotocol/sdk";
import type {
  ContentBlock,
  PermissionAnswer,
  Phase,
  PhaseChange,
  SessionStartPayload,
} from "../specs/events.ts";
import { ConflictError, ErrorCode, errorMessage, RpcError } from "../specs/errors.ts";
import type {
  PermissionsResult,
  PromptParams,
  PromptResult,
  RespondPermissionParams,
  StatusResult,
} from "../specs/runner_rpc.ts";
import { MASS_VERSION, type RuntimeState, type SessionState } from "../specs/runtime.ts";
import { AcpClient, type AgentProcess, spawnAgent } from "./acp_connection.ts";
import { agentEnv, type Bundle, toAcpMcpServers } from "./config.ts";
import { type EventDraft, EventHub } from "./events/event_hub.ts";
import { EventLog } from "./events/event_log.ts";
import { metadataChange, Translator } from "./events/translator.ts";
import { FsService } from "./fs_service.ts";
import { PermissionBroker, permissionToolCall } from "./permission_broker.ts";
import { decidePermission, type PermissionDecision } from "./permission_policy.ts";
import { signalGroupSync, stopProcessGroup, waitFor } from "./process_group.ts";
import { type RunLogger, silentLogger } from "./logger.ts";
import { type RunnerServer, startRunnerServer } from "./rpc_server.ts";
import { applySessionResponse, applySessionUpdate, modelOptionId } from "./session_state.ts";
import { setConfigOptions } from "./session_state.ts";
import { readStateFile, StateFile } from "./state_file.ts";
import { TerminalService } from "./terminal_service.ts";

/** Exit codes of `mass run`. */
export const ExitCode = {
  /** Stopped on request (runtime/stop, SIGTERM, SIGINT). */
  Stopped: 0,
  /** Bad bundle or command line: nothing was started. */
  BadBundle: 1,
  /** The agent could not be started or bootstrapped. */
  BootstrapFailed: 2,
  /** The agent exited (or dropped its ACP connection) on its own. */
  AgentExited: 3,
  /** A turn ran past its timeout and did not end after cancel. */
  TurnTimeout: 4,
  /** The bundle's socket file was removed under it: nobody can reach it any more. */
  Orphaned: 5,
  /** An error inside the agent-run itself. */
  Internal: 70,
} as const;

export interface StopTimeouts {
  /** Wait for the running turn to end after session/cancel. */
  cancelMs: number;
  /** Wait after closing the agent's stdin. */
  graceMs: number;
  /** Wait after SIGTERM to the group. */
  termMs: number;
  /** Wait after SIGKILL to the group. */
  killMs: number;
}

export const DEFAULT_STOP_TIMEOUTS: StopTimeouts = {
  cancelMs: 2_000,
  graceMs: 2_000,
  termMs: 2_000,
  killMs: 2_000,
};

/** Live events a watcher may lag behind before it is cut off as a slow consumer. */
export const WATCH_QUEUE = 16_384;

/** How often the agent-run checks that its socket file still exists. */
export const SOCKET_CHECK_MS = 5_000;

/** Repeats of session/cancel while the cancelled turn still runs (see #cancel). */
const CANCEL_REPEATS = 5;
const CANCEL_REPEAT_MS = 250;

/** How long a timed-out turn gets to end after session/cancel before the agent is stopped. */
export const TURN_CANCEL_GRACE_MS = 5_000;

export interface AgentRunOptions {
  logger?: RunLogger;
  /** Where the agent's stderr goes (the agent-run log); dropped when unset. */
  onAgentStderr?: (chunk: Uint8Array) => void | Promise<void>;
  stopTimeouts?: Partial<StopTimeouts>;
}

interface Turn {
  turnId?: string;
  done: Promise<void>;
  /** Resolves once session/prompt is on its way to the agent (or the turn ended without it). */
  sent: Promise<void>;
}

type StopReason =
  | "runtime-stop"
  | "process-exited"
  | "bootstrap-failed"
  | "turn-timeout"
  | "protocol-error"
  | "bundle-removed"
  | "internal-error";

function describeStatus(s: Deno.CommandStatus): string {
  return s.signal ? `signal ${s.signal}` : `exit code ${s.code}`;
}

/** Any failure as an RpcError for the runner socket (agent codes pass through). */
function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const code = typeof err === "object" && err !== null && "code" in err
    ? (err as { code: unknown }).code
    : undefined;
  const message = errorMessage(err);
  if (typeof code === "number" && Number.isInteger(code)) return new RpcError(code, message);
  return new RpcError(ErrorCode.Internal, message);
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export class AgentRun {
  readonly #bundle: Bundle;
  readonly #opts: AgentRunOptions;
  readonly #timeouts: StopTimeouts;
  readonly #done = deferred<number>();
  readonly #translator = new Translator();
  readonly #log: RunLogger;
  #eventLog?: EventLog;
  #hub?: EventHub;
  #state?: StateFile;
  #proc?: AgentProcess;
  #client?: AcpClient;
  #terminals?: TerminalService;
  #server?: RunnerServer;
  #phase: Exclude<Phase, "restarting" | "error"> = "creating";
  #sessionId?: string;
  #bootstrapped = false;
  /** Updates replayed by session/load are history the log already holds. */
  #replaying = false;
  #replayed = 0;
  /** Updates held back until session_start is out (set during bootstrap). */
  #heldUpdates: acp.SessionNotification[] | undefined = [];
  #turn?: Turn;
  #exitStatus?: Deno.CommandStatus;
  #terminating?: Promise<number>;
  #markSent: () => void = () => {};
  #watchdog?: ReturnType<typeof setInterval>;
  /** Requests waiting for a client under policy `ask`. */
  readonly #permissions: PermissionBroker;

  constructor(bundle: Bundle, opts: AgentRunOptions = {}) {
    this.#bundle = bundle;
    this.#opts = opts;
    this.#timeouts = { ...DEFAULT_STOP_TIMEOUTS, ...opts.stopTimeouts };
    this.#log = opts.logger ?? silentLogger;
    this.#permissions = new PermissionBroker({
      timeoutMs: bundle.config.runtime.permissionTimeoutSeconds * 1000,
      announce: (payload) => this.#emit(this.#translator.event("permission_request", payload)),
      resolved: (payload) => this.#emit(this.#translator.event("permission_resolved", payload)),
    });
  }

  get phase(): string {
    return this.#phase;
  }

  /** The agent's pid (also its process group id), once started. */
  get agentPid(): number | undefined {
    return this.#proc?.pid;
  }

  /** Runs until the agent-run ends; resolves with the process exit code. */
  async run(): Promise<number> {
    try {
      await this.#open();
    } catch (err) {
      this.#log.error("cannot open the bundle's event log or state: {error}", {
        error: String(err),
      });
      await this.#eventLog?.close().catch(() => {});
      return ExitCode.Internal;
    }
    try {
      await this.#bootstrap();
    } catch (err) {
      this.#log.error("bootstrap failed: {error}", { error: errorMessage(err) });
      void this.#terminate("bootstrap-failed", ExitCode.BootstrapFailed, errorMessage(err));
    }
    return await this.#done.promise;
  }

  /** Stops the agent-run as if runtime/stop had been called. */
  requestStop(): Promise<number> {
    return this.#terminate("runtime-stop", ExitCode.Stopped);
  }

  /**
   * Last resort for crashes of the agent-run itself: kill the agent's group and record
   * `stopped` synchronously. The caller exits right after.
   */
  emergencyStop(): void {
    if (this.#proc) signalGroupSync(this.#proc.pid, "SIGKILL");
    this.#terminals?.killAllSync();
    if (this.#state) {
      this.#phase = "stopped";
      void this.#state.update((s) => {
        s.phase = "stopped";
        s.reason = "internal-error";
      }).catch(() => {});
      this.#state.writeSync();
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------

  async #open(): Promise<void> {
    const { config, paths, dir } = this.#bundle;
    const previous = await readStateFile(paths.state);
    this.#eventLog = await EventLog.open(paths.events, {
      segmentBytes: config.runtime.eventSegmentBytes,
      maxSegments: config.runtime.eventMaxSegments,
    });
    const hub = new EventHub(this.#eventLog, {
      runId: config.metadata.name,
      maxQueue: WATCH_QUEUE,
    });
    this.#hub = hub;
    const initial: RuntimeState = {
      massVersion: MASS_VERSION,
      id: config.metadata.name,
      bundle: dir,
      phase: "creating",
      runnerPid: Deno.pid,
      reason: "bootstrap-started",
      updatedAt: new Date().toISOString(),
    };
    if (config.metadata.annotations) initial.annotations = config.metadata.annotations;
    this.#state = new StateFile(paths.state, initial, {
      decorate: (s) => {
        s.eventCounts = hub.counts();
        s.lastSeq = hub.lastSeq;
        s.eventLog = { ...hub.logStats(), maxSegments: config.runtime.eventMaxSegments };
      },
    });
    this.#previousSessionId = previous?.sessionId;
    await this.#state.flush();
    await this.#emitPhase(previous?.phase ?? "creating", "creating", "bootstrap-started");
  }

  #previousSessionId?: string;

  async #bootstrap(): Promise<void> {
    const { config, workspace } = this.#bundle;
    const env = agentEnv(config);
    const fs = new FsService(workspace);
    this.#terminals = config.runtime.terminal ? new TerminalService(workspace, env) : undefined;
    const proc = spawnAgent({
      command: config.process.command,
      args: config.process.args,
      cwd: workspace,
      env,
      onStderr: this.#opts.onAgentStderr ?? (() => {}),
    });
    this.#proc = proc;
    this.#log.info("agent started: pid {pid}, {command}", {
      pid: proc.pid,
      command: config.process.command,
    });
    await this.#state!.update((s) => (s.pid = proc.pid));
    proc.status.then((s) => this.#onAgentExit(s));

    const client = AcpClient.connect(proc, {
      onUpdate: (params) => this.#onUpdate(params),
      requestPermission: (params) => this.#requestPermission(params),
      fs,
      terminal: this.#terminals,
      onProtocolError: (m) => this.#log.warn("agent: {message}", { message: m }),
    });
    this.#client = client;
    client.closed.then(() => this.#onConnectionClosed());

    const ms = config.runtime.bootstrapTimeoutSeconds * 1000;
    const boot = (async () => {
      const init = await client.initialize({ terminal: config.runtime.terminal });
      const session = await this.#startSession(client, init);
      return { init, session };
    })();
    boot.catch(() => {});
    const booted = await waitFor(boot, ms);
    if (!booted) {
      throw new Error(`bootstrap timed out after ${config.runtime.bootstrapTimeoutSeconds} s`);
    }
    const { init, session } = booted;
    this.#sessionId = session.sessionId;
    this.#translator.setSessionId(session.sessionId);
    await this.#state!.update((s) => {
      s.sessionId = session.sessionId;
      const st: SessionState = s.session ?? {};
      if (init.agentInfo) {
        st.agentInfo = { name: init.agentInfo.name, version: init.agentInfo.version };
        if (init.agentInfo.title != null) st.agentInfo.title = init.agentInfo.title;
      }
      st.capabilities = (init.agentCapabilities ?? {}) as Record<string, unknown>;
      applySessionResponse(st, session.response);
      s.session = st;
    });
    const start: SessionStartPayload = { sessionId: session.sessionId, mode: session.mode };
    if (session.previousSessionId) start.previousSessionId = session.previousSessionId;
    await this.#emit([{ type: "session_start", sessionId: session.sessionId, payload: start }]);
    await this.#releaseUpdates();

    this.#server = await startRunnerServer(this.#bundle.paths.socket, this.#api(), this.#hub!, {
      onError: (m) => this.#log.warn("{message}", { message: m }),
      logger: this.#log,
    });
    this.#log.info("listening on {path}", { path: this.#bundle.paths.socket });
    this.#watchdog = setInterval(() => this.#checkSocket(), SOCKET_CHECK_MS);

    const systemPrompt = config.session.systemPrompt;
    if (systemPrompt && systemPrompt.trim() !== "") {
      await this.#runTurn([{ type: "text", text: systemPrompt }], "system");
    }
    if (this.#terminating) return;
    this.#bootstrapped = true;
    await this.#emitPhase(this.#phase, "idle", "bootstrap-complete", [
      "agentInfo",
      "capabilities",
    ]);
  }

  /** session/resume, else session/load, else session/new (see specs/runtime.md). */
  async #startSession(client: AcpClient, init: acp.InitializeResponse): Promise<{
    mode: SessionStartPayload["mode"];
    sessionId: string;
    previousSessionId?: string;
    response: unknown;
  }> {
    const { session } = this.#bundle.config;
    const base: acp.NewSessionRequest = {
      cwd: this.#bundle.workspace,
      mcpServers: toAcpMcpServers(session.mcpServers),
      ...(session._meta ? { _meta: session._meta } : {}),
    };
    const caps = init.agentCapabilities ?? {};
    const resumeId = session.resumeSessionId;
    const previousSessionId = resumeId ?? this.#previousSessionId;
    if (resumeId && caps.sessionCapabilities?.resume) {
      try {
        const response = await client.agent.request(acp.methods.agent.session.resume, {
          ...base,
          sessionId: resumeId,
        });
        return { mode: "resume", sessionId: resumeId, previousSessionId: resumeId, response };
      } catch (err) {
        this.#log.warn("session/resume {id} failed: {error}", {
          id: resumeId,
          error: errorMessage(err),
        });
      }
    } else if (resumeId && caps.loadSession) {
      this.#replaying = true;
      try {
        const response = await client.agent.request(acp.methods.agent.session.load, {
          ...base,
          sessionId: resumeId,
        });
        this.#log.info("session/load {id}: skipped {n} replayed updates", {
          id: resumeId,
          n: this.#replayed,
        });
        return { mode: "load", sessionId: resumeId, previousSessionId: resumeId, response };
      } catch (err) {
        this.#log.warn("session/load {id} failed: {error}", {
          id: resumeId,
          error: errorMessage(err),
        });
      } finally {
        this.#replaying = false;
      }
    }
    const response = await client.agent.request(acp.methods.agent.session.new, base);
    return { mode: "new", sessionId: response.sessionId, previousSessionId, response };
  }

  #onAgentExit(status: Deno.CommandStatus): void {
    this.#exitStatus = status;
    this.#log.info("agent exited: {status}", { status: describeStatus(status) });
    if (this.#terminating) return;
    if (this.#bootstrapped) {
      void this.#terminate("process-exited", ExitCode.AgentExited);
    } else {
      void this.#terminate(
        "bootstrap-failed",
        ExitCode.BootstrapFailed,
        `agent exited during bootstrap (${describeStatus(status)})`,
      );
    }
  }

  /** A removed bundle (or socket file) leaves this agent-run unreachable: stop, no orphan. */
  async #checkSocket(): Promise<void> {
    try {
      await Deno.lstat(this.#bundle.paths.socket);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound) || this.#terminating) return;
      void this.#terminate(
        "bundle-removed",
        ExitCode.Orphaned,
        "the agent-run socket file was removed; stopping",
      );
    }
  }

  async #onConnectionClosed(): Promise<void> {
    // Usually the agent is exiting; give its exit status the first word.
    await waitFor(this.#proc!.status, 1_000);
    if (this.#terminating || this.#exitStatus) return;
    void this.#terminate(
      "protocol-error",
      ExitCode.AgentExited,
      "the agent closed its ACP connection",
    );
  }

  /**
   * The one stop sequence. Idempotent: later callers get the first caller's exit code.
   */
  #terminate(reason: StopReason, code: number, message?: string): Promise<number> {
    if (this.#terminating) return this.#terminating;
    this.#terminating = this.#runTermination(reason, code, message).catch((err) => {
      this.#log.error("stop sequence failed: {error}", { error: String(err) });
      this.emergencyStop();
      this.#done.resolve(ExitCode.Internal);
      return ExitCode.Internal;
    });
    return this.#terminating;
  }

  async #runTermination(reason: StopReason, code: number, message?: string): Promise<number> {
    this.#log.info("stopping: {reason}", { reason });
    clearInterval(this.#watchdog);
    const t = this.#timeouts;
    if (message) await this.#emit([this.#draftError(message)]);
    const turn = this.#turn;
    if (turn && !this.#exitStatus && this.#sessionId && this.#client) {
      await this.#cancel(this.#client, this.#sessionId).catch(() => {});
      await waitFor(turn.done, t.cancelMs);
    }
    // Requests outside a turn (or left after it) must not outlive the agent-run unanswered.
    await this.#permissions.cancelAll();
    let status = this.#exitStatus;
    if (this.#proc) {
      const client = this.#client;
      const res = await stopProcessGroup(this.#proc, {
        closeInput: client ? () => client.closeInput() : undefined,
        graceMs: t.graceMs,
        termMs: t.termMs,
        killMs: t.killMs,
      });
      status = res.status ?? this.#exitStatus;
      if (res.steps.length > 1) {
        this.#log.info("agent stop steps: {steps}", { steps: res.steps.join(",") });
      }
    }
    this.#client?.close();
    if (this.#turn) await waitFor(this.#turn.done, 2_000);
    await this.#terminals?.closeAll().catch(() => {});

    const exitCode = status ? (status.signal ? null : status.code) : null;
    const signal = status?.signal ?? null;
    if (this.#state) {
      await this.#state.update((s) => {
        if (status) {
          s.exitCode = exitCode;
          s.exitSignal = signal;
        }
        if (message) s.errorMessage = message;
      }).catch(() => {});
    }
    if (this.#proc) {
      await this.#emit([{
        type: "agent_exit",
        ...(this.#sessionId ? { sessionId: this.#sessionId } : {}),
        payload: { exitCode, signal, reason },
      }]);
    }
    if (this.#hub) await this.#emitPhase(this.#phase, "stopped", reason).catch(() => {});

    if (this.#server && this.#hub) {
      await this.#server.flushWatches(this.#hub.lastSeq, 1_000);
      await this.#server.close().catch(() => {});
    }
    await this.#hub?.close().catch(() => {});
    await this.#eventLog?.close().catch(() => {});
    if (this.#proc) await waitFor(this.#proc.stderrDone, 500);
    this.#log.info("stopped: {reason}, exit code {code}", { reason, code });
    this.#done.resolve(code);
    return code;
  }

  // ---- events and state -------------------------------------------------------------------

  /** Emits `drafts` contiguously, in order (the hub serialises in call order). */
  async #emit(drafts: EventDraft[]): Promise<void> {
    const hub = this.#hub;
    if (!hub || drafts.length === 0) return;
    try {
      await Promise.all(drafts.map((d) => hub.emit(d)));
    } catch (err) {
      this.#log.error("event not recorded: {error}", { error: String(err) });
    }
  }

  #draftError(message: string, turnId?: string): EventDraft {
    const d: EventDraft = { type: "error", payload: { message } };
    if (this.#sessionId) d.sessionId = this.#sessionId;
    if (turnId) d.turnId = turnId;
    return d;
  }

  #phaseDraft(change: PhaseChange): EventDraft {
    const d: EventDraft = { type: "runtime_update", payload: { phase: change } };
    if (this.#sessionId) d.sessionId = this.#sessionId;
    return d;
  }

  /** Records the phase in state.json, then emits the runtime_update for it. */
  async #emitPhase(
    previous: Phase,
    next: Exclude<Phase, "restarting" | "error">,
    reason: string,
    sessionChanged?: string[],
  ): Promise<void> {
    const change: PhaseChange = { previousPhase: previous, phase: next, reason };
    if (this.#proc) change.pid = this.#proc.pid;
    if (sessionChanged) change.sessionChanged = sessionChanged;
    // The phase, the state and the event change together (the event log append is
    // synchronous), so runtime/status never shows a phase whose event is not logged yet, and
    // nothing can slip in between. The state.json write itself is not awaited here: its
    // writes are queued in order, and waiting for the disk would leave a gap after the
    // event in which a client that saw "idle" is refused as busy.
    this.#phase = next;
    const written = this.#state!.update((s) => {
      s.phase = next;
      s.reason = reason;
    });
    written.catch((e) => this.#log.error("state: {e}", { e: String(e) }));
    await this.#emit([this.#phaseDraft(change)]);
    // The last state before the agent-run exits must be on disk.
    if (next === "stopped") await written;
  }

  /** Handles the updates held during bootstrap, in order, then lets new ones through. */
  async #releaseUpdates(): Promise<void> {
    const held = this.#heldUpdates;
    if (!held) return;
    while (held.length > 0) await this.#handleUpdate(held.shift()!);
    this.#heldUpdates = undefined;
  }

  #onUpdate(params: acp.SessionNotification): Promise<void> {
    if (this.#heldUpdates && !this.#replaying) {
      // Not awaited: an agent may send updates before answering session/new.
      this.#heldUpdates.push(params);
      return Promise.resolve();
    }
    return this.#handleUpdate(params);
  }

  async #handleUpdate(params: acp.SessionNotification): Promise<void> {
    const update = params?.update;
    const change = metadataChange(update);
    if (this.#replaying) {
      this.#replayed++;
      if (change) {
        await this.#state!.update((s) => void applySessionUpdate(s.session ??= {}, update));
      }
      return;
    }
    const drafts = this.#translator.translate(update);
    if (change) {
      const changed = { applied: false };
      const write = this.#state!.update((s) => {
        changed.applied = applySessionUpdate(s.session ??= {}, update);
      });
      if (changed.applied) {
        const phaseChange: PhaseChange = {
          previousPhase: this.#phase,
          phase: this.#phase,
          reason: change.reason,
          sessionChanged: [change.field],
        };
        if (this.#proc) phaseChange.pid = this.#proc.pid;
        drafts.push(this.#phaseDraft(phaseChange));
      }
      await Promise.all([
        write.catch((e) => this.#log.error("state: {e}", { e: String(e) })),
        this.#emit(drafts),
      ]);
      return;
    }
    await this.#emit(drafts);
  }

  // ---- turns ------------------------------------------------------------------------------

  /** Runs one prompt turn; emits its events; the phase moves only after bootstrap. */
  async #runTurn(blocks: ContentBlock[], origin: "user" | "system"): Promise<PromptResult> {
    const finished = deferred<void>();
    const sent = deferred<void>();
    const turn: Turn = { done: finished.promise, sent: sent.promise };
    this.#turn = turn;
    this.#markSent = sent.resolve;
    try {
      const begin = this.#translator.beginTurn(origin);
      const turnId = begin.turnId;
      turn.turnId = turnId;
      await this.#emit([...begin.drafts, ...this.#translator.userPrompt(blocks, origin)]);
      if (this.#bootstrapped) await this.#emitPhase("idle", "running", "prompt-started");
      let stopReason = "error";
      let failure: unknown;
      try {
        stopReason = await this.#prompt(blocks, turnId);
      } catch (err) {
        failure = err;
      }
      const end: EventDraft[] = failure ? [this.#draftError(errorMessage(failure), turnId)] : [];
      end.push(...this.#translator.endTurn(failure ? "error" : stopReason));
      await this.#emit(end);
      if (this.#bootstrapped && !this.#terminating) {
        await this.#emitPhase("running", "idle", failure ? "prompt-failed" : "prompt-completed");
      }
      if (failure) throw toRpcError(failure);
      return { stopReason, turnId };
    } finally {
      this.#turn = undefined;
      sent.resolve();
      finished.resolve();
    }
  }

  /** ACP session/prompt under the turn timeout: cancel, wait, then stop the agent-run. */
  async #prompt(blocks: ContentBlock[], turnId: string): Promise<string> {
    const client = this.#client!;
    const sessionId = this.#sessionId!;
    const request = client.agent.request(acp.methods.agent.session.prompt, {
      sessionId,
      prompt: blocks as acp.ContentBlock[],
    });
    this.#markSent();
    const secs = this.#bundle.config.runtime.turnTimeoutSeconds;
    if (!(secs > 0)) return (await request).stopReason;
    const settled = request.then(
      (r) => ({ ok: true as const, stopReason: r.stopReason as string }),
      (err) => ({ ok: false as const, err }),
    );
    let outcome = await waitFor(settled, secs * 1000);
    if (!outcome) {
      await this.#emit([
        this.#draftError(`turn timed out after ${secs} s; cancelling`, turnId),
      ]);
      client.agent.notify(acp.methods.agent.session.cancel, { sessionId }).catch(() => {});
      await this.#permissions.cancelAll();
      outcome = await waitFor(settled, TURN_CANCEL_GRACE_MS);
      if (!outcome) {
        void this.#terminate(
          "turn-timeout",
          ExitCode.TurnTimeout,
          `turn did not end within ${TURN_CANCEL_GRACE_MS / 1000} s of cancel; stopping the agent`,
        );
        outcome = await settled;
      }
    }
    if (!outcome.ok) throw outcome.err;
    return outcome.stopReason;
  }

  /**
   * ACP session/cancel. A cancel that arrives while a turn is starting waits until its
   * session/prompt has been sent, so the agent never sees the cancel first and ignores it.
   */
  async #cancel(client: AcpClient, sessionId: string): Promise<void> {
    const turn = this.#turn;
    if (turn) await turn.sent;
    const send = () => client.agent.notify(acp.methods.agent.session.cancel, { sessionId });
    await send();
    // ACP: after session/cancel the client answers every pending permission request with
    // "cancelled".
    await this.#permissions.cancelAll();
    if (!turn) return;
    // The SDK may still be writing session/prompt when the cancel goes out, and an agent
    // ignores a cancel for a turn it has not seen yet. Cancel is idempotent: repeat it a
    // few times while that same turn is still running.
    void (async () => {
      for (let i = 0; i < CANCEL_REPEATS; i++) {
        const ended = await waitFor(turn.done.then(() => true), CANCEL_REPEAT_MS);
        if (ended || this.#turn !== turn || this.#terminating) return;
        await send().catch(() => {});
      }
    })();
  }

  // ---- permissions ------------------------------------------------------------------------

  /**
   * ACP session/request_permission: under `ask` a pending item a client answers; under a
   * fixed policy decided at once, with a `permission_resolved{by: "policy"}` for the record.
   */
  async #requestPermission(params: acp.RequestPermissionRequest): Promise<PermissionDecision> {
    const policy = this.#bundle.config.session.permissions;
    if (policy === "ask") {
      return await this.#permissions.ask(params, {
        sessionId: this.#sessionId,
        turnId: this.#translator.turnId,
      });
    }
    const decision = decidePermission(policy, params);
    const o = decision.outcome;
    const tc = permissionToolCall(params?.toolCall);
    await this.#emit(this.#translator.event("permission_resolved", {
      requestId: crypto.randomUUID().slice(0, 8),
      outcome: o.outcome,
      ...(o.outcome === "selected" ? { optionId: o.optionId } : {}),
      by: "policy",
      policy,
      toolCall: {
        toolCallId: tc.toolCallId,
        ...(tc.title != null ? { title: tc.title } : {}),
        ...(tc.kind != null ? { kind: tc.kind } : {}),
      },
    }));
    return decision;
  }

  // ---- runner RPC -------------------------------------------------------------------------

  #requireSession(): { client: AcpClient; sessionId: string } {
    if (this.#terminating) throw new ConflictError("agent-run is stopping");
    if (!this.#client || !this.#sessionId) {
      throw new ConflictError("agent-run is creating: the session is not ready yet");
    }
    return { client: this.#client, sessionId: this.#sessionId };
  }

  async #audit(operation: string, params: unknown, err?: unknown): Promise<void> {
    const audit: { operation: string; params?: unknown; success: boolean; error?: string } = {
      operation,
      success: err === undefined,
    };
    if (params !== undefined) audit.params = params;
    if (err !== undefined) audit.error = errorMessage(err);
    const d: EventDraft = { type: "runtime_update", payload: { operationAudit: audit } };
    if (this.#sessionId) d.sessionId = this.#sessionId;
    await this.#emit([d]);
  }

  async #setConfigOption(
    configId: string,
    value: string | boolean,
  ): Promise<acp.SetSessionConfigOptionResponse> {
    const { client, sessionId } = this.#requireSession();
    const params: acp.SetSessionConfigOptionRequest = typeof value === "boolean"
      ? { sessionId, configId, type: "boolean", value }
      : { sessionId, configId, value };
    const res = await client.agent.request(acp.methods.agent.session.setConfigOption, params);
    if (Array.isArray(res?.configOptions)) {
      const options = res.configOptions;
      await this.#state!.update((s) => setConfigOptions(s.session ??= {}, options));
      await this.#emit([this.#phaseDraft({
        previousPhase: this.#phase,
        phase: this.#phase,
        ...(this.#proc ? { pid: this.#proc.pid } : {}),
        reason: "config-updated",
        sessionChanged: ["configOptions"],
      })]);
    }
    return res;
  }

  #api() {
    return {
      status: (): StatusResult => ({
        state: this.#state!.snapshot(),
        recovery: { lastSeq: this.#hub!.lastSeq },
      }),
      prompt: (p: PromptParams): Promise<PromptResult> => {
        if (this.#terminating) throw new ConflictError("agent-run is stopping");
        if (!this.#bootstrapped) {
          throw new ConflictError("agent-run is creating: the session is not ready yet");
        }
        if (this.#turn) throw new ConflictError("agent is busy: a turn is already running");
        if (this.#phase !== "idle") throw new ConflictError(`agent-run is ${this.#phase}`);
        return this.#runTurn(p.prompt, p.origin ?? "user");
      },
      cancel: async (): Promise<void> => {
        const { client, sessionId } = this.#requireSession();
        try {
          await this.#cancel(client, sessionId);
          await this.#audit("cancel", undefined);
        } catch (err) {
          await this.#audit("cancel", undefined, err);
          throw toRpcError(err);
        }
      },
      setMode: async (p: { modeId: string }): Promise<unknown> => {
        const { client, sessionId } = this.#requireSession();
        try {
          const res = await client.agent.request(acp.methods.agent.session.setMode, {
            sessionId,
            modeId: p.modeId,
          });
          // Agents need not echo current_mode_update, and an echo may be handled after this
          // reply: record the mode now, so status shows it once the call returns.
          if (this.#state!.state.session?.currentMode !== p.modeId) {
            await this.#onUpdate({
              sessionId,
              update: { sessionUpdate: "current_mode_update", currentModeId: p.modeId },
            });
          }
          await this.#audit("set_mode", p);
          return res ?? {};
        } catch (err) {
          await this.#audit("set_mode", p, err);
          throw toRpcError(err);
        }
      },
      setConfigOption: async (p: { configId: string; value: string | boolean }) => {
        this.#requireSession();
        try {
          const res = await this.#setConfigOption(p.configId, p.value);
          await this.#audit("set_config_option", p);
          return res ?? {};
        } catch (err) {
          await this.#audit("set_config_option", p, err);
          throw toRpcError(err);
        }
      },
      setModel: async (p: { modelId: string }): Promise<unknown> => {
        const { client, sessionId } = this.#requireSession();
        try {
          const optionId = modelOptionId(this.#state!.state.session);
          let res: unknown;
          if (optionId) {
            res = await this.#setConfigOption(optionId, p.modelId);
          } else {
            // Agents from before models became a config option (unstable ACP).
            res = await client.agent.request("session/set_model", {
              sessionId,
              modelId: p.modelId,
            });
          }
          await this.#state!.update((s) => {
            const st = s.session ??= {};
            st.models = {
              availableModels: st.models?.availableModels ?? [],
              currentModelId: p.modelId,
            };
          });
          await this.#audit("set_model", p);
          return res ?? {};
        } catch (err) {
          await this.#audit("set_model", p, err);
          throw toRpcError(err);
        }
      },
      permissions: (): PermissionsResult => ({ items: this.#permissions.list() }),
      respondPermission: (p: RespondPermissionParams): Promise<PermissionAnswer> =>
        this.#permissions.respond(
          p.requestId,
          p.optionId !== undefined ? { optionId: p.optionId } : { outcome: "cancelled" },
        ),
      stop: () => void this.#terminate("runtime-stop", ExitCode.Stopped),
    };
  }
}
