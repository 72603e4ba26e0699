/**
 * Answering permission requests (policy `ask`) from massctl: which request a bare command
 * means, and the table `agentrun permissions` prints. What "approve" and "deny" send is
 * shared with the chat TUI (ctl/client/permission_choice.ts). Pure functions.
 */
import type { PendingPermission } from "../../specs/events.ts";
import { formatAge, renderTable } from "./output.ts";

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
