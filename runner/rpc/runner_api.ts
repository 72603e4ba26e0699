/**
 * The runner-RPC surface: what the methods served on the agent-run socket do (status,
 * prompt, cancel, set_mode, set_config_option, set_model, permissions, stop). rpc_server.ts
 * validates params and calls these; every session-changing call leaves an operationAudit.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { ContentBlock, PermissionAnswer } from "../../specs/events.ts";
import { ConflictError, errorMessage } from "../../specs/errors.ts";
import { settlesWithin } from "../../specs/lib/settles_within.ts";
import type {
  PermissionsResult,
  PromptParams,
  PromptResult,
  RespondPermissionParams,
  StatusResult,
} from "../../specs/runner_rpc.ts";
import type { AcpClient } from "../acp/acp_connection.ts";
import { modelOptionId, setConfigOptions } from "../acp/session_state.ts";
import type { EventDraft } from "../events/event_hub.ts";
import type { RunContext } from "../run_context.ts";
import type { RunnerApi } from "./rpc_server.ts";
import { toRpcError } from "./to_rpc_error.ts";

/** How long a prompt waits for a turn that has sent its turn_end to finish. */
const ENDING_TURN_WAIT_MS = 5_000;

/** What the surface needs besides the context: turns, updates and the stop sequence. */
export interface RunnerApiDeps {
  runTurn(blocks: ContentBlock[], origin: "user" | "system"): Promise<PromptResult>;
  cancel(client: AcpClient, sessionId: string): Promise<void>;
  /** Handles a session update as if the agent had sent it. */
  onUpdate(params: acp.SessionNotification): Promise<void>;
  stop(): void;
}

function _requireSession(ctx: RunContext): { client: AcpClient; sessionId: string } {
  if (ctx.terminating) throw new ConflictError("agent-run is stopping");
  if (!ctx.client || !ctx.sessionId) {
    throw new ConflictError("agent-run is creating: the session is not ready yet");
  }
  return { client: ctx.client, sessionId: ctx.sessionId };
}

async function _audit(
  ctx: RunContext,
  operation: string,
  params: unknown,
  err?: unknown,
): Promise<void> {
  const audit: { operation: string; params?: unknown; success: boolean; error?: string } = {
    operation,
    success: err === undefined,
  };
  if (params !== undefined) audit.params = params;
  if (err !== undefined) audit.error = errorMessage(err);
  const d: EventDraft = { type: "runtime_update", payload: { operationAudit: audit } };
  if (ctx.sessionId) d.sessionId = ctx.sessionId;
  await ctx.emit([d]);
}

/** Runs `call`, audits it as `operation`, and maps a failure to an RpcError. */
async function _audited<T>(
  ctx: RunContext,
  operation: string,
  params: unknown,
  call: () => Promise<T>,
): Promise<T> {
  try {
    const res = await call();
    await _audit(ctx, operation, params);
    return res;
  } catch (err) {
    await _audit(ctx, operation, params, err);
    throw toRpcError(err);
  }
}

async function _setConfigOption(
  ctx: RunContext,
  configId: string,
  value: string | boolean,
): Promise<acp.SetSessionConfigOptionResponse> {
  const { client, sessionId } = _requireSession(ctx);
  const params: acp.SetSessionConfigOptionRequest = typeof value === "boolean"
    ? { sessionId, configId, type: "boolean", value }
    : { sessionId, configId, value };
  const res = await client.agent.request(acp.methods.agent.session.setConfigOption, params);
  if (Array.isArray(res?.configOptions)) {
    const options = res.configOptions;
    await ctx.state!.update((s) => setConfigOptions(s.session ??= {}, options));
    await ctx.emit([ctx.phaseDraft({
      previousPhase: ctx.phase,
      phase: ctx.phase,
      ...(ctx.proc ? { pid: ctx.proc.pid } : {}),
      reason: "config-updated",
      sessionChanged: ["configOptions"],
    })]);
  }
  return res;
}

/** The RunnerApi of one agent-run over its context. */
export function runnerApi(ctx: RunContext, deps: RunnerApiDeps): RunnerApi {
  return {
    status: (): StatusResult => ({
      state: ctx.state!.snapshot(),
      recovery: { lastSeq: ctx.hub!.lastSeq },
    }),
    prompt: async (p: PromptParams): Promise<PromptResult> => {
      // A turn whose turn_end is out has only its idle event left: a client that prompts on
      // turn_end waits for that instead of being refused.
      const ending = ctx.turn?.ended ? ctx.turn.done : undefined;
      if (ending) await settlesWithin(ending, ENDING_TURN_WAIT_MS);
      if (ctx.terminating) throw new ConflictError("agent-run is stopping");
      if (!ctx.bootstrapped) {
        throw new ConflictError("agent-run is creating: the session is not ready yet");
      }
      if (ctx.turn) throw new ConflictError("agent is busy: a turn is already running");
      if (ctx.phase !== "idle") throw new ConflictError(`agent-run is ${ctx.phase}`);
      return await deps.runTurn(p.prompt, p.origin ?? "user");
    },
    cancel: async (): Promise<void> => {
      const { client, sessionId } = _requireSession(ctx);
      await _audited(ctx, "cancel", undefined, () => deps.cancel(client, sessionId));
    },
    setMode: async (p: { modeId: string }): Promise<unknown> => {
      const { client, sessionId } = _requireSession(ctx);
      return await _audited(ctx, "set_mode", p, async () => {
        const res = await client.agent.request(acp.methods.agent.session.setMode, {
          sessionId,
          modeId: p.modeId,
        });
        // Agents need not echo current_mode_update, and an echo may be handled after this
        // reply: record the mode now, so status shows it once the call returns.
        if (ctx.state!.state.session?.currentMode !== p.modeId) {
          await deps.onUpdate({
            sessionId,
            update: { sessionUpdate: "current_mode_update", currentModeId: p.modeId },
          });
        }
        return res ?? {};
      });
    },
    setConfigOption: async (p: { configId: string; value: string | boolean }) => {
      _requireSession(ctx);
      return await _audited(
        ctx,
        "set_config_option",
        p,
        async () => (await _setConfigOption(ctx, p.configId, p.value)) ?? {},
      );
    },
    setModel: async (p: { modelId: string }): Promise<unknown> => {
      const { client, sessionId } = _requireSession(ctx);
      return await _audited(ctx, "set_model", p, async () => {
        const optionId = modelOptionId(ctx.state!.state.session);
        let res: unknown;
        if (optionId) {
          res = await _setConfigOption(ctx, optionId, p.modelId);
        } else {
          // Agents from before models became a config option (unstable ACP).
          res = await client.agent.request("session/set_model", {
            sessionId,
            modelId: p.modelId,
          });
        }
        await ctx.state!.update((s) => {
          const st = s.session ??= {};
          st.models = {
            availableModels: st.models?.availableModels ?? [],
            currentModelId: p.modelId,
          };
        });
        return res ?? {};
      });
    },
    permissions: (): PermissionsResult => ({ items: ctx.permissions.list() }),
    respondPermission: (p: RespondPermissionParams): Promise<PermissionAnswer> =>
      ctx.permissions.respond(
        p.requestId,
        p.optionId !== undefined ? { optionId: p.optionId } : { outcome: "cancelled" },
      ),
    stop: () => deps.stop(),
  };
}
