/**
 * Answers ACP `session/request_permission` under a fixed policy (see specs/runtime.md).
 *
 * Pure: the agent-run calls `decidePermission` with the request and replies with the result.
 * Policy `ask` is not decided here: runner/permissions/permission_broker.ts waits for a client.
 */
import type { PermissionPolicy } from "../../specs/runtime.ts";

export type PermissionOptionKind = "allow_once" | "allow_always" | "reject_once" | "reject_always";

export interface PermissionOption {
  optionId: string;
  name?: string;
  kind: PermissionOptionKind | string;
}

export interface PermissionToolCall {
  kind?: string | null;
  title?: string | null;
}

export interface PermissionRequest {
  toolCall?: PermissionToolCall | null;
  options: PermissionOption[];
}

export type PermissionOutcome =
  | { outcome: "selected"; optionId: string }
  | { outcome: "cancelled" };

export interface PermissionDecision {
  outcome: PermissionOutcome;
}

/** Tool kinds that `approve_reads` allows: they look at things without changing them. */
const READ_KINDS = new Set(["read", "search", "think"]);

/** Title keywords in the order they are tried; the first match wins. */
const TITLE_KEYWORDS: [string[], string][] = [
  [["read", "cat"], "read"],
  [["search", "find", "grep"], "search"],
  [["write", "edit", "patch"], "edit"],
  [["delete", "remove"], "delete"],
  [["run", "execute", "bash"], "execute"],
  [["fetch", "http"], "fetch"],
  [["think"], "think"],
];

/**
 * The tool kind of a permission request: `toolCall.kind` when set, else the first keyword
 * that starts a word of the lower-cased title before its first `:` ("Reading x" is a read,
 * "thread" is not), else "other".
 */
export function inferToolKind(toolCall: PermissionToolCall | null | undefined): string {
  if (toolCall?.kind) return toolCall.kind;
  const title = (toolCall?.title ?? "").toLowerCase();
  const head = title.split(":", 1)[0];
  const words = head.split(/[^a-z0-9_]+/).filter(Boolean);
  for (const [keys, kind] of TITLE_KEYWORDS) {
    if (keys.some((k) => words.some((w) => w.startsWith(k)))) return kind;
  }
  return "other";
}

function pick(options: PermissionOption[], kinds: string[]): PermissionOption | undefined {
  for (const kind of kinds) {
    const found = options.find((o) => o.kind === kind);
    if (found) return found;
  }
  return undefined;
}

function allow(options: PermissionOption[]): PermissionDecision {
  const chosen = pick(options, ["allow_once", "allow_always"]) ?? options[0];
  if (!chosen) return { outcome: { outcome: "cancelled" } };
  return { outcome: { outcome: "selected", optionId: chosen.optionId } };
}

/** reject_once, else reject_always, else outcome cancelled (also the timeout's answer). */
export function reject(options: PermissionOption[]): PermissionDecision {
  const chosen = pick(options, ["reject_once", "reject_always"]);
  if (!chosen) return { outcome: { outcome: "cancelled" } };
  return { outcome: { outcome: "selected", optionId: chosen.optionId } };
}

/** A permission policy name mass does not know; thrown so that a bad policy fails closed. */
export class UnknownPolicyError extends Error {
  constructor(policy: string) {
    super(`unknown permission policy ${JSON.stringify(policy)}`);
    this.name = "UnknownPolicyError";
  }
}

/** Decides a permission request; throws UnknownPolicyError (fail closed) on a bad policy. */
export function decidePermission(
  policy: PermissionPolicy | string,
  request: PermissionRequest,
): PermissionDecision {
  const options = Array.isArray(request.options) ? request.options : [];
  switch (policy) {
    case "approve_all":
      return allow(options);
    case "approve_reads":
      return READ_KINDS.has(inferToolKind(request.toolCall)) ? allow(options) : reject(options);
    case "deny_all":
      return reject(options);
    case "ask":
      throw new Error('policy "ask" waits for a client: use the permission broker');
    default:
      throw new UnknownPolicyError(String(policy));
  }
}
