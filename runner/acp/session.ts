/**
 * The agent's ACP session: start the agent, connect over ACP, initialize, then resume, load
 * or create the session (see specs/runtime.md), bounded by the bootstrap timeout; and the
 * session/update stream, held back until session_start is out and skipped while
 * session/load replays history the event log already holds.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { PhaseChange, SessionStartPayload } from "../../specs/events.ts";
import { errorMessage } from "../../specs/errors.ts";
import type { SessionState } from "../../specs/runtime.ts";
import { agentEnv, toAcpMcpServers } from "../config.ts";
import { metadataChange } from "../events/translator.ts";
import { FsService } from "../fs/fs_service.ts";
import { waitFor } from "../launch/process_group.ts";
import type { PermissionDecision } from "../permissions/permission_policy.ts";
import type { ClientOp } from "../permissions/client_op.ts";
import type { RunContext } from "../run_context.ts";
import { TerminalService } from "../terminal/terminal_service.ts";
import { AcpClient, spawnAgent } from "./acp_connection.ts";
import { agentWrap } from "./agent_sandbox.ts";
import { bwrapExitStatus } from "../launch/sandbox/bwrap_exit.ts";
import { appliedSandbox } from "../../specs/sandbox.ts";
import { applySessionResponse, applySessionUpdate } from "./session_state.ts";

/** Where the session reports what happens to the agent. */
export interface SessionHooks {
  /** Where the agent's stderr goes (the agent-run log); dropped when unset. */
  onAgentStderr?: (chunk: Uint8Array) => void | Promise<void>;
  onAgentExit(status: Deno.CommandStatus): void;
  onConnectionClosed(): void;
  requestPermission(params: acp.RequestPermissionRequest): Promise<PermissionDecision>;
  /** The run's policy on the agent's writes and terminals (runner/permissions/client_gate.ts). */
  gateClientOp?(op: ClientOp): Promise<void>;
}

interface StartedSession {
  mode: SessionStartPayload["mode"];
  sessionId: string;
  previousSessionId?: string;
  response: unknown;
}

/** The ACP session of one agent-run. */
export class AgentSession {
  readonly #ctx: RunContext;
  /** Updates replayed by session/load are history the log already holds. */
  #replaying = false;
  #replayed = 0;
  /** Updates held back until session_start is out. */
  #heldUpdates: acp.SessionNotification[] | undefined = [];

  constructor(ctx: RunContext) {
    this.#ctx = ctx;
  }

  /** Starts the agent (and the terminal service) and connects to it over ACP. */
  async connect(hooks: SessionHooks): Promise<void> {
    const ctx = this.#ctx;
    const { config, workspace } = ctx.bundle;
    const env = agentEnv(config);
    const fs = new FsService(workspace);
    const wrap = await agentWrap(config.sandbox, ctx.bundle.dir, workspace);
    ctx.terminals = config.runtime.terminal ? new TerminalService(workspace, env, wrap) : undefined;
    const agent = wrap(config.process.command, config.process.args, env, workspace);
    const spawned = spawnAgent({
      command: agent.command,
      args: agent.args,
      cwd: workspace,
      env: agent.env,
      onStderr: hooks.onAgentStderr ?? (() => {}),
    });
    // Through bwrap, the agent's death by signal N arrives as exit code 128+N.
    const proc = agent.command === config.process.command
      ? spawned
      : { ...spawned, status: spawned.status.then(bwrapExitStatus) };
    ctx.proc = proc;
    ctx.log.info("agent started: pid {pid}, {command}", {
      pid: proc.pid,
      command: config.process.command,
    });
    // Under bwrap this pid is one of the agent-run's PID namespace: agentd must not use it.
    if (config.sandbox.mode === "none") await ctx.state!.update((s) => (s.pid = proc.pid));
    proc.status.then((s) => hooks.onAgentExit(s));

    const client = AcpClient.connect(proc, {
      onUpdate: (params) => this.onUpdate(params),
      requestPermission: (params) => hooks.requestPermission(params),
      fs,
      terminal: ctx.terminals,
      gate: hooks.gateClientOp,
      onProtocolError: (m) => ctx.log.warn("agent: {message}", { message: m }),
    });
    ctx.client = client;
    client.closed.then(() => hooks.onConnectionClosed());
  }

  /**
   * ACP initialize and session, under the bootstrap timeout; records them in state.json,
   * emits session_start, then lets the held updates through.
   */
  async open(previousSessionId: string | undefined): Promise<void> {
    const ctx = this.#ctx;
    const client = ctx.client!;
    const { config } = ctx.bundle;
    const ms = config.runtime.bootstrapTimeoutSeconds * 1000;
    const boot = (async () => {
      const init = await client.initialize({ terminal: config.runtime.terminal });
      const session = await this.#startSession(client, init, previousSessionId);
      return { init, session };
    })();
    boot.catch(() => {});
    const booted = await waitFor(boot, ms);
    if (!booted) {
      throw new Error(`bootstrap timed out after ${config.runtime.bootstrapTimeoutSeconds} s`);
    }
    const { init, session } = booted;
    ctx.sessionId = session.sessionId;
    ctx.translator.setSessionId(session.sessionId);
    await ctx.state!.update((s) => {
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
    start.sandbox = appliedSandbox(config.sandbox);
    await ctx.emit([{ type: "session_start", sessionId: session.sessionId, payload: start }]);
    await this.#releaseUpdates();
  }

  /** session/resume, else session/load, else session/new (see specs/runtime.md). */
  async #startSession(
    client: AcpClient,
    init: acp.InitializeResponse,
    previous: string | undefined,
  ): Promise<StartedSession> {
    const ctx = this.#ctx;
    const { session } = ctx.bundle.config;
    const base: acp.NewSessionRequest = {
      cwd: ctx.bundle.workspace,
      mcpServers: toAcpMcpServers(session.mcpServers),
      ...(session._meta ? { _meta: session._meta } : {}),
    };
    const caps = init.agentCapabilities ?? {};
    const resumeId = session.resumeSessionId;
    const previousSessionId = resumeId ?? previous;
    if (resumeId && caps.sessionCapabilities?.resume) {
      try {
        const response = await client.agent.request(acp.methods.agent.session.resume, {
          ...base,
          sessionId: resumeId,
        });
        return { mode: "resume", sessionId: resumeId, previousSessionId: resumeId, response };
      } catch (err) {
        ctx.log.warn("session/resume {id} failed: {error}", {
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
        ctx.log.info("session/load {id}: skipped {n} replayed updates", {
          id: resumeId,
          n: this.#replayed,
        });
        return { mode: "load", sessionId: resumeId, previousSessionId: resumeId, response };
      } catch (err) {
        ctx.log.warn("session/load {id} failed: {error}", {
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

  /** Handles the updates held during bootstrap, in order, then lets new ones through. */
  async #releaseUpdates(): Promise<void> {
    const held = this.#heldUpdates;
    if (!held) return;
    while (held.length > 0) await this.#handleUpdate(held.shift()!);
    this.#heldUpdates = undefined;
  }

  /** ACP session/update from the agent (or recorded on its behalf). */
  onUpdate(params: acp.SessionNotification): Promise<void> {
    if (this.#heldUpdates && !this.#replaying) {
      // Not awaited: an agent may send updates before answering session/new.
      this.#heldUpdates.push(params);
      return Promise.resolve();
    }
    return this.#handleUpdate(params);
  }

  async #handleUpdate(params: acp.SessionNotification): Promise<void> {
    const ctx = this.#ctx;
    const update = params?.update;
    const change = metadataChange(update);
    if (this.#replaying) {
      this.#replayed++;
      if (change) {
        await ctx.state!.update((s) => void applySessionUpdate(s.session ??= {}, update));
      }
      return;
    }
    const drafts = ctx.translator.translate(update);
    if (change) {
      const changed = { applied: false };
      const write = ctx.state!.update((s) => {
        changed.applied = applySessionUpdate(s.session ??= {}, update);
      });
      if (changed.applied) {
        const phaseChange: PhaseChange = {
          previousPhase: ctx.phase,
          phase: ctx.phase,
          reason: change.reason,
          sessionChanged: [change.field],
        };
        if (ctx.proc) phaseChange.pid = ctx.proc.pid;
        drafts.push(ctx.phaseDraft(phaseChange));
      }
      await Promise.all([
        write.catch((e) => ctx.log.error("state: {e}", { e: String(e) })),
        ctx.emit(drafts),
      ]);
      return;
    }
    await ctx.emit(drafts);
  }
}
