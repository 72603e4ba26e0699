import type * as acp from "@agentclientprotocol/sdk";
import type { RunContext } from "../run_context.ts";
import { permissionToolCall } from "./permission_broker.ts";
import { decidePermission, type PermissionDecision } from "./permission_policy.ts";

/**
 * ACP session/request_permission: under `ask` a pending item a client answers; under a
 * fixed policy decided at once, with a `permission_resolved{by: "policy"}` for the record.
 */
export async function requestPermission(
  ctx: RunContext,
  params: acp.RequestPermissionRequest,
): Promise<PermissionDecision> {
  const policy = ctx.bundle.config.session.permissions;
  if (policy === "ask") {
    return await ctx.permissions.ask(params, {
      sessionId: ctx.sessionId,
      turnId: ctx.translator.turnId,
    });
  }
  const decision = decidePermission(policy, params);
  const o = decision.outcome;
  const tc = permissionToolCall(params?.toolCall);
  await ctx.emit(ctx.translator.event("permission_resolved", {
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
