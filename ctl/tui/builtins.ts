/**
 * What the chat's built-in slash commands do, as a pure function of the chat model: the
 * component carries the returned effect out (ctl/tui/commands.ts parses the line).
 */
import type { ChatModel } from "./chat_state.ts";
import { formatUsage } from "./components/Header.tsx";
import { helpLines } from "./commands.ts";
import { isBusy } from "./state/views.ts";

export type BuiltinEffect =
  /** An info line in the chat. */
  | { type: "notice"; text: string }
  /** A transient message on the status line. */
  | { type: "info"; text: string }
  | { type: "clear" }
  | { type: "cancel_turn" }
  | { type: "set"; what: "model" | "mode"; id: string }
  /** Show every dismissed permission request again. */
  | { type: "restore_permissions" }
  /** The run's worktree diff (agentrun/diff), as a notice. */
  | { type: "show_diff"; stat: boolean }
  | { type: "exit" };

/**
 * The effect of the built-in command `name` with `args` (undefined for a name that is not
 * a built-in).
 *
 * @example
 * ```ts
 * builtinEffect("exit", "", initialChatModel()); // { type: "exit" }
 * ```
 */
export function builtinEffect(
  name: string,
  args: string,
  m: ChatModel,
): BuiltinEffect | undefined {
  switch (name) {
    case "help":
      return { type: "notice", text: helpLines(m.commands).join("\n") };
    case "clear":
      return { type: "clear" };
    case "cancel":
      return isBusy(m) ? { type: "cancel_turn" } : { type: "info", text: "no turn is running" };
    case "model":
    case "mode": {
      if (args) return { type: "set", what: name, id: args.split(/\s+/)[0] };
      const current = name === "model" ? m.model : m.mode;
      const choices = (name === "model" ? m.models : m.modes).map((c) => c.id);
      const available = choices.length ? ` (available: ${choices.join(", ")})` : "";
      return { type: "notice", text: `${name}: ${current ?? "unknown"}${available}` };
    }
    case "status":
      return {
        type: "notice",
        text: [
          `phase: ${m.phase ?? "unknown"}`,
          `model: ${m.model ?? "unknown"}`,
          `mode: ${m.mode ?? "unknown"}`,
          `usage: ${m.usage ? formatUsage(m.usage) : "unknown"}`,
          `seq: ${m.lastSeq}`,
          `session: ${m.sessionId ?? "none"}`,
        ].join(" · "),
      };
    case "permissions":
      return m.permissions.length === 0
        ? { type: "info", text: "no pending permission requests" }
        : { type: "restore_permissions" };
    case "diff":
      return { type: "show_diff", stat: /(^|\s)--stat(\s|$)/.test(args) };
    case "exit":
      return { type: "exit" };
  }
  return undefined;
}
