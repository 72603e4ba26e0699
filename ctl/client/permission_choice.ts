/**
 * What "approve" and "deny" mean for a permission request (policy `ask`): which of the
 * agent's options each one sends. Shared by massctl and the chat TUI. Pure functions.
 */
import type { PermissionOption } from "../../specs/events.ts";

/** What to send as agentrun/respond_permission: an option, or a cancel. */
export type PermissionChoice = { optionId: string } | { cancel: true };

function _firstOfKind(options: readonly PermissionOption[], kinds: string[]) {
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
  return _firstOfKind(item.options, kinds);
}

/** A denial: reject_once, else reject_always, else cancel the request. */
export function denyChoice(item: { options: readonly PermissionOption[] }): PermissionChoice {
  const option = _firstOfKind(item.options, ["reject_once", "reject_always"]);
  return option ? { optionId: option.optionId } : { cancel: true };
}
