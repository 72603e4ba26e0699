/**
 * One agent-run: the lifecycle of `mass run` for one bundle (specs/runtime.md).
 *
 * open the event log → state `creating` → spawn the agent → ACP initialize + session
 * (bounded by the bootstrap timeout; acp/session.ts) → listen on the runner socket
 * (rpc/) → system-prompt turn (still `creating`; turns.ts) → `idle` ⇄ `running` → stop
 * (termination.ts). This module wires those parts over one RunContext.
 */
import { errorMessage } from "../specs/errors.ts";
import { MASS_VERSION, type RuntimeState } from "../specs/runtime.ts";
import { AgentSession } from "./acp/session.ts";
import { appliedSandbox } from "../specs/sandbox.ts";
import type { Bundle } from "./config.ts";
import { EventHub } from "./events/event_hub.ts";
import { EventLog } from "../specs/eventlog/event_log.ts";
import { ExitCode } from "./exit_code.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { requestPermission } from "./permissions/request_permission.ts";
import { gateClientOp } from "./permissions/client_gate.ts";
import { startRunnerServer } from "./rpc/rpc_server.ts";
import { runnerApi } from "./rpc/runner_api.ts";
import { RunContext } from "./run_context.ts";
import { readStateFile } from "../specs/eventlog/state.ts";
import { StateFile } from "./state_file.ts";
import { DEFAULT_STOP_TIMEOUTS, type StopTimeouts, Termination } from "./termination.ts";
import { Turns } from "./turns.ts";

/** Live events a watcher may lag behind before it is cut off as a slow consumer. */
export const WATCH_QUEUE = 16_384;

export interface AgentRunOptions {
  logger?: Logger;
  /** Where the agent's stderr goes (the agent-run log); dropped when unset. */
  onAgentStderr?: (chunk: Uint8Array) => void | Promise<void>;
  stopTimeouts?: Partial<StopTimeouts>;
}

/** One `mass run`: see the module doc. */
export class AgentRun {
  readonly #ctx: RunContext;
  readonly #opts: AgentRunOptions;
  readonly #done: Promise<number>;
  readonly #session: AgentSession;
  readonly #turns: Turns;
  readonly #termination: Termination;
  #previousSessionId?: string;

  constructor(bundle: Bundle, opts: AgentRunOptions = {}) {
    const ctx = new RunContext(bundle, opts.logger ?? silentLogger);
    this.#ctx = ctx;
    this.#opts = opts;
    let done!: (code: number) => void;
    this.#done = new Promise<number>((r) => (done = r));
    this.#termination = new Termination(ctx, {
      timeouts: { ...DEFAULT_STOP_TIMEOUTS, ...opts.stopTimeouts },
      cancel: (client, sessionId) => this.#turns.cancel(client, sessionId),
      done,
    });
    this.#turns = new Turns(ctx, (r, c, m) => this.#termination.terminate(r, c, m));
    this.#session = new AgentSession(ctx);
  }

  get phase(): string {
    return this.#ctx.phase;
  }

  /** The agent's pid (also its process group id), once started. */
  get agentPid(): number | undefined {
    return this.#ctx.proc?.pid;
  }

  /** Runs until the agent-run ends; resolves with the process exit code. */
  async run(): Promise<number> {
    const log = this.#ctx.log;
    try {
      await this.#open();
    } catch (err) {
      log.error("cannot open the bundle's event log or state: {error}", {
        error: String(err),
      });
      await this.#ctx.eventLog?.close().catch(() => {});
      return ExitCode.Internal;
    }
    try {
      await this.#bootstrap();
    } catch (err) {
      log.error("bootstrap failed: {error}", { error: errorMessage(err) });
      void this.#termination.terminate(
        "bootstrap-failed",
        ExitCode.BootstrapFailed,
        errorMessage(err),
      );
    }
    return await this.#done;
  }

  /** Stops the agent-run as if runtime/stop had been called. */
  requestStop(): Promise<number> {
    return this.#termination.terminate("runtime-stop", ExitCode.Stopped);
  }

  /**
   * Last resort for crashes of the agent-run itself: kill the agent's group and record
   * `stopped` synchronously. The caller exits right after.
   */
  emergencyStop(): void {
    this.#termination.emergencyStop();
  }

  async #open(): Promise<void> {
    const ctx = this.#ctx;
    const { config, paths, dir } = ctx.bundle;
    const previous = await readStateFile(paths.state);
    ctx.eventLog = await EventLog.open(paths.events, {
      segmentBytes: config.runtime.eventSegmentBytes,
      maxSegments: config.runtime.eventMaxSegments,
    });
    const hub = new EventHub(ctx.eventLog, {
      runId: config.metadata.name,
      maxQueue: WATCH_QUEUE,
    });
    ctx.hub = hub;
    const initial: RuntimeState = {
      massVersion: MASS_VERSION,
      id: config.metadata.name,
      bundle: dir,
      phase: "creating",
      reason: "bootstrap-started",
      updatedAt: new Date().toISOString(),
      sandbox: appliedSandbox(config.sandbox),
    };
    // In its own PID namespace (bwrap) its pid means nothing to agentd, which has its own.
    if (config.sandbox.mode === "none") initial.runnerPid = Deno.pid;
    if (config.metadata.annotations) initial.annotations = config.metadata.annotations;
    ctx.state = new StateFile(paths.state, initial, {
      decorate: (s) => {
        s.eventCounts = hub.counts();
        s.lastSeq = hub.lastSeq;
        s.eventLog = { ...hub.logStats(), maxSegments: config.runtime.eventMaxSegments };
      },
    });
    this.#previousSessionId = previous?.sessionId;
    await ctx.state.flush();
    await ctx.emitPhase(previous?.phase ?? "creating", "creating", "bootstrap-started");
  }

  async #bootstrap(): Promise<void> {
    const ctx = this.#ctx;
    const termination = this.#termination;
    await this.#session.connect({
      onAgentStderr: this.#opts.onAgentStderr,
      onAgentExit: (status) => termination.onAgentExit(status),
      onConnectionClosed: () => void termination.onConnectionClosed(),
      requestPermission: (params) => requestPermission(ctx, params),
      gateClientOp: (op) => gateClientOp(ctx, op),
    });
    await this.#session.open(this.#previousSessionId);

    const api = runnerApi(ctx, {
      runTurn: (blocks, origin) => this.#turns.run(blocks, origin),
      cancel: (client, sessionId) => this.#turns.cancel(client, sessionId),
      onUpdate: (params) => this.#session.onUpdate(params),
      stop: () => void termination.terminate("runtime-stop", ExitCode.Stopped),
    });
    ctx.server = await startRunnerServer(ctx.bundle.paths.socket, api, ctx.hub!, {
      onError: (m) => ctx.log.warn("{message}", { message: m }),
      logger: ctx.log,
    });
    ctx.log.info("listening on {path}", { path: ctx.bundle.paths.socket });
    termination.watchSocket();

    const systemPrompt = ctx.bundle.config.session.systemPrompt;
    if (systemPrompt && systemPrompt.trim() !== "") {
      await this.#turns.run([{ type: "text", text: systemPrompt }], "system");
    }
    if (ctx.terminating) return;
    ctx.bootstrapped = true;
    await ctx.emitPhase(ctx.phase, "idle", "bootstrap-complete", ["agentInfo", "capabilities"]);
  }
}
