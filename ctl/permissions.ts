/**
 * Answering permission requests (policy `ask`), shared by massctl and the chat TUI: which
 * option "approve" and "deny" pick, which request a bare command means, and the table
 * `agentrun permissions` prints. Pure functions.
 */
import type { PendingPermission, PermissionOption } from "../specs/events.ts";
import { formatAge, renderTable } from "./output.ts";

/** What to send as agentrun/respond_permission: an option, or a cancel. */
export type PermissionChoice = { optionId: string } | { cancel: true };

function firstOfKind(options: readonly PermissionOption[], kinds: string[]) {
  for (const kind of kinds) {
    const found = options.find((o) => o.kind === kind);
    if (found) return found;
  }
  return undefined;
}

/**
 * The option an approval picks: allow_once, else allow_always (`always`: the other way
 * round); undefined when the request offers neither.
 */
export function approveOption(
  item: { options: readonly PermissionOption[] },
  always = false,
): PermissionOption | undefined {
  const kinds = always ? ["allow_always", "allow_once"] : ["allow_once", "allow_always"];
  return firstOfKind(item.options, kinds);
}

/** A denial: reject_once, else reject_always, else cancel the request. */
export function denyChoice(item: { options: readonly PermissionOption[] }): PermissionChoice {
  const option = firstOfKind(item.options, ["reject_once", "reject_always"]);
  return option ? { optionId: option.optionId } : { cancel: true };
}

/** The request a command means: the one named, else the oldest; undefined when none. */
export function pickRequest(
  items: readonly PendingPermission[],
  requestId?: string,
): PendingPermission | undefined {
  if (requestId !== undefined) return items.find((i) => i.requestId === requestId);
  return items[0];
}

/** "Edit main.ts (edit)": the tool call's title and kind, as a one-line label. */
export function permissionLabel(item: Pick<PendingPermission, "toolCall">): string {
  const tc = item.toolCall;
  const title = tc.title || tc.toolCallId || "tool call";
  return tc.kind ? `${title} (${tc.kind})` : title;
}

/** `agentrun permissions` as a table: one row per pending request, oldest first. */
export function permissionTable(
  items: readonly PendingPermission[],
  wide: boolean,
  now: Date,
): string {
  const head = ["REQUEST", "KIND", "TITLE", "OPTIONS", "AGE"];
  if (wide) head.push("EXPIRES", "TURN");
  const rows = items.map((p) => {
    const row = [
      p.requestId,
      p.toolCall.kind ?? "",
      p.toolCall.title ?? "",
      p.options.map((o) => o.optionId).join(","),
      formatAge(p.createdAt, now),
    ];
    if (wide) row.push(p.expiresAt ?? "never", p.turnId ?? "");
    return row;
  });
  return renderTable([head, ...rows]);
}
