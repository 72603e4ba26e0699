/**
 * Permission requests (policy `ask`): they wait in `permissions` until their
 * `permission_resolved` event, or until the agent-run that asked is gone.
 */
import type { PermissionRequestPayload, PermissionResolvedPayload } from "../../../specs/events.ts";
import type { ChatModel, PermissionPrompt } from "./model.ts";
import { addNotice } from "./items.ts";

/** A new request joins the queue (once per request id). */
export function addPermission(model: ChatModel, p: PermissionRequestPayload): ChatModel {
  if (!p?.requestId || model.permissions.some((x) => x.requestId === p.requestId)) return model;
  const prompt: PermissionPrompt = {
    requestId: p.requestId,
    title: p.toolCall?.title || p.toolCall?.toolCallId || "tool call",
    toolKind: p.toolCall?.kind ?? "",
    options: Array.isArray(p.options) ? p.options : [],
  };
  return { ...model, permissions: [...model.permissions, prompt] };
}

/** Drops the request; an answer from a client, the timeout or a cancel leaves a notice. */
export function resolvePermission(model: ChatModel, p: PermissionResolvedPayload): ChatModel {
  const known = model.permissions.find((x) => x.requestId === p.requestId);
  if (!known) return model; // a fixed policy's decision, or one resolved before we joined
  const m = { ...model, permissions: model.permissions.filter((x) => x !== known) };
  const answer = p.outcome === "selected" ? (p.optionId ?? "selected") : "cancelled";
  const by = p.by === "client" ? "" : ` (${p.by})`;
  return addNotice(
    m,
    p.by === "timeout" ? "warn" : "info",
    `permission ${answer}${by}: ${known.title}`,
  );
}

/** The request the dialog shows: the oldest one not dismissed with Esc. */
export function activePermission(model: ChatModel): PermissionPrompt | undefined {
  return model.permissions.find((p) => !p.dismissed);
}
