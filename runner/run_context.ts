/**
 * What the parts of one agent-run share: the bundle, the live handles (event log, hub,
 * state.json, agent process, ACP client, socket server) and the phase, with the one way to
 * record events and phase changes. Session, turns, the runner RPC surface and termination
 * each get this context instead of reaching into each other.
 */
import type { Phase, PhaseChange } from "../specs/events.ts";
import type { AcpClient, AgentProcess } from "./acp/acp_connection.ts";
import type { Bundle } from "./config.ts";
import type { EventDraft, EventHub } from "./events/event_hub.ts";
import type { EventLog } from "../specs/eventlog/event_log.ts";
import { Translator } from "./events/translator.ts";
import type { Logger } from "./logger.ts";
import { PermissionBroker } from "./permissions/permission_broker.ts";
import type { RunnerServer } from "./rpc/rpc_server.ts";
import type { StateFile } from "./state_file.ts";
import type { TerminalService } from "./terminal/terminal_service.ts";

/** The phases an agent-run reports about itself (agentd adds `restarting` and `error`). */
export type RunPhase = Exclude<Phase, "restarting" | "error">;

/** The prompt turn in flight (at most one). */
export interface Turn {
  turnId?: string;
  done: Promise<void>;
  /** Resolves once session/prompt is on its way to the agent (or the turn ended without it). */
  sent: Promise<void>;
  /** Set once turn_end is emitted: what is left is the idle phase event. */
  ended?: boolean;
}

/** The shared state of one agent-run; see the module doc. */
export class RunContext {
  readonly bundle: Bundle;
  readonly log: Logger;
  readonly translator: Translator = new Translator();
  /** Requests waiting for a client under policy `ask`. */
  readonly permissions: PermissionBroker;
  eventLog?: EventLog;
  hub?: EventHub;
  state?: StateFile;
  proc?: AgentProcess;
  client?: AcpClient;
  terminals?: TerminalService;
  server?: RunnerServer;
  phase: RunPhase = "creating";
  sessionId?: string;
  bootstrapped = false;
  turn?: Turn;
  exitStatus?: Deno.CommandStatus;
  /** Set once the stop sequence has begun; resolves with the exit code. */
  terminating?: Promise<number>;

  constructor(bundle: Bundle, log: Logger) {
    this.bundle = bundle;
    this.log = log;
    this.permissions = new PermissionBroker({
      timeoutMs: bundle.config.runtime.permissionTimeoutSeconds * 1000,
      announce: (payload) => this.emit(this.translator.event("permission_request", payload)),
      resolved: (payload) => this.emit(this.translator.event("permission_resolved", payload)),
    });
  }

  /** Emits `drafts` contiguously, in order (the hub serialises in call order). */
  async emit(drafts: EventDraft[]): Promise<void> {
    const hub = this.hub;
    if (!hub || drafts.length === 0) return;
    try {
      await Promise.all(drafts.map((d) => hub.emit(d)));
    } catch (err) {
      this.log.error("event not recorded: {error}", { error: String(err) });
    }
  }

  /** An `error` event for this session (and turn). */
  draftError(message: string, turnId?: string): EventDraft {
    const d: EventDraft = { type: "error", payload: { message } };
    if (this.sessionId) d.sessionId = this.sessionId;
    if (turnId) d.turnId = turnId;
    return d;
  }

  /** A `runtime_update` event carrying `change`. */
  phaseDraft(change: PhaseChange): EventDraft {
    const d: EventDraft = { type: "runtime_update", payload: { phase: change } };
    if (this.sessionId) d.sessionId = this.sessionId;
    return d;
  }

  /** Records the phase in state.json, then emits the runtime_update for it. */
  async emitPhase(
    previous: Phase,
    next: RunPhase,
    reason: string,
    sessionChanged?: string[],
  ): Promise<void> {
    const change: PhaseChange = { previousPhase: previous, phase: next, reason };
    if (this.proc) change.pid = this.proc.pid;
    if (sessionChanged) change.sessionChanged = sessionChanged;
    // The phase, the state and the event change together (the event log append is
    // synchronous), so runtime/status never shows a phase whose event is not logged yet, and
    // nothing can slip in between. The state.json write itself is not awaited here: its
    // writes are queued in order, and waiting for the disk would leave a gap after the
    // event in which a client that saw "idle" is refused as busy.
    this.phase = next;
    const written = this.state!.update((s) => {
      s.phase = next;
      s.reason = reason;
    });
    written.catch((e) => this.log.error("state: {e}", { e: String(e) }));
    await this.emit([this.phaseDraft(change)]);
    // The last state before the agent-run exits must be on disk.
    if (next === "stopped") await written;
  }
}
