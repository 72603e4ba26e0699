/**
 * The run's permission policy applied to what the agent asks the client (us) to do, not
 * only to what it asks permission for: `fs/write_text_file` and `terminal/create` change
 * the workspace or run programs, so they pass this gate first (see specs/runtime.md).
 *
 * - `approve_all`: allowed.
 * - `deny_all`: refused at once (the agent gets a {@link ErrorCode.PolicyDenied} error), with a
 *   `permission_resolved{by: "policy"}` event for the record.
 * - `approve_reads` and `ask`: a pending permission request a client answers, as for the
 *   agent's own `session/request_permission` under `ask` (timeout and cancel included).
 *
 * Reads (`fs/read_text_file`) and the other `terminal/*` methods (on a terminal that already
 * passed) are not gated.
 */
import { ErrorCode, RpcError } from "../../specs/errors.ts";
import type { RunContext } from "../run_context.ts";
import type { PermissionOption } from "./permission_policy.ts";
import type { ClientOp } from "./client_op.ts";

export type { ClientOp };

const OPTIONS: PermissionOption[] = [
  { optionId: "allow", name: "Allow", kind: "allow_once" },
  { optionId: "reject", name: "Reject", kind: "reject_once" },
];

/** The tool call a client is shown for `op`. */
export function clientOpToolCall(op: ClientOp): {
  toolCallId: string;
  title: string;
  kind: string;
  rawInput: Record<string, unknown>;
} {
  const toolCallId = `client-${crypto.randomUUID().slice(0, 8)}`;
  if (op.method === "fs/write_text_file") {
    return { toolCallId, title: `Write ${op.path}`, kind: "edit", rawInput: { path: op.path } };
  }
  const line = [op.command, ...(op.args ?? [])].join(" ");
  return {
    toolCallId,
    title: `Run ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`,
    kind: "execute",
    rawInput: { command: op.command, args: op.args ?? [] },
  };
}

/** Resolves when the run's policy lets `op` go ahead; throws a one-line RpcError when not. */
export async function gateClientOp(ctx: RunContext, op: ClientOp): Promise<void> {
  const policy = ctx.bundle.config.session.permissions;
  if (policy === "approve_all") return;
  const toolCall = clientOpToolCall(op);
  if (policy === "deny_all") {
    await ctx.emit(ctx.translator.event("permission_resolved", {
      requestId: crypto.randomUUID().slice(0, 8),
      outcome: "selected",
      optionId: "reject",
      by: "policy",
      policy,
      toolCall: { toolCallId: toolCall.toolCallId, title: toolCall.title, kind: toolCall.kind },
    }));
    throw denied(op, "the run's permission policy deny_all refuses it");
  }
  const decision = await ctx.permissions.ask({ toolCall, options: OPTIONS }, {
    sessionId: ctx.sessionId,
    turnId: ctx.translator.turnId,
  });
  const o = decision.outcome;
  if (o.outcome === "selected" && o.optionId === "allow") return;
  throw denied(
    op,
    o.outcome === "cancelled"
      ? `the permission request was cancelled (policy ${policy})`
      : `the permission request was rejected (policy ${policy})`,
  );
}

function denied(op: ClientOp, why: string): RpcError {
  const what = op.method === "fs/write_text_file" ? op.path : op.command;
  return new RpcError(ErrorCode.PolicyDenied, `${op.method} ${what}: ${why}`);
}
