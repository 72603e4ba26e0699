/**
 * Slash commands of the chat: the built-ins, the agent's own commands (from
 * runtime_update.availableCommands), parsing of an input line, and completion.
 */
import type { AgentCommand, Choice } from "./chat_state.ts";

export interface SlashCommand {
  name: string;
  description: string;
  /** Argument hint shown in help and completion. */
  hint?: string;
  aliases?: string[];
  source: "builtin" | "agent";
}

export const BUILTIN_COMMANDS: readonly SlashCommand[] = [
  { name: "help", description: "Show commands and keys", source: "builtin" },
  { name: "clear", description: "Clear the chat view", source: "builtin" },
  { name: "cancel", description: "Cancel the running turn", source: "builtin" },
  {
    name: "model",
    description: "Show or set the model",
    hint: "[id]",
    source: "builtin",
  },
  { name: "mode", description: "Show or set the session mode", hint: "[id]", source: "builtin" },
  { name: "status", description: "Show phase, model, mode and usage", source: "builtin" },
  {
    name: "permissions",
    description: "Show pending permission requests again",
    source: "builtin",
  },
  {
    name: "diff",
    description: "Show the run's worktree changes against its base",
    hint: "[--stat]",
    source: "builtin",
  },
  { name: "exit", description: "Quit the chat", aliases: ["quit", "q"], source: "builtin" },
];

export type ResolvedInput =
  /** Plain text: send as a prompt. */
  | { kind: "prompt"; text: string }
  | { kind: "builtin"; name: string; args: string }
  /** An agent command: sent verbatim as a prompt. */
  | { kind: "agent"; name: string; text: string }
  | { kind: "unknown"; name: string };

/** Agent commands as slash commands, descriptions collapsed to one line. */
export function agentSlashCommands(commands: readonly AgentCommand[]): SlashCommand[] {
  return commands.map((c) => ({
    name: c.name,
    description: c.description.replace(/\s+/g, " ").trim(),
    hint: c.hint,
    source: "agent",
  }));
}

/** Built-ins first; an agent command shadowed by a built-in stays reachable only by prompt. */
export function allCommands(agent: readonly AgentCommand[]): SlashCommand[] {
  const taken = new Set(BUILTIN_COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]));
  return [
    ...BUILTIN_COMMANDS,
    ...agentSlashCommands(agent).filter((c) => !taken.has(c.name.toLowerCase())),
  ];
}

const SLASH = /^\/([\w:.-]+)(?:\s+([\s\S]*))?$/;

/** Decides what an input line means. */
export function resolveInput(input: string, agent: readonly AgentCommand[]): ResolvedInput {
  const text = input.trim();
  const m = SLASH.exec(text);
  if (!m) return { kind: "prompt", text };
  const name = m[1].toLowerCase();
  const args = (m[2] ?? "").trim();
  const builtin = BUILTIN_COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
  if (builtin) return { kind: "builtin", name: builtin.name, args };
  const cmd = agent.find((c) => c.name.toLowerCase() === name);
  if (cmd) return { kind: "agent", name: cmd.name, text };
  return { kind: "unknown", name: m[1] };
}

export interface Completion {
  /** The input line after accepting this completion. */
  value: string;
  label: string;
  description: string;
}

export interface CompletionContext {
  commands: readonly AgentCommand[];
  models: readonly Choice[];
  modes: readonly Choice[];
}

/**
 * Completions for an input line: command names while the first word is typed, then model
 * or mode ids for `/model` and `/mode`. Empty when the line is not a command.
 */
export function completions(input: string, ctx: CompletionContext): Completion[] {
  if (!input.startsWith("/") || input.includes("\n")) return [];
  const space = input.indexOf(" ");
  if (space < 0) {
    const prefix = input.slice(1).toLowerCase();
    // The command typed in full comes first, so `/mode` + Enter runs /mode, not /model.
    const exact = (c: { name: string }) => c.name.toLowerCase() === prefix ? 0 : 1;
    return allCommands(ctx.commands)
      .filter((c) => c.name.toLowerCase().startsWith(prefix))
      .sort((a, b) => exact(a) - exact(b))
      .map((c) => ({
        value: `/${c.name} `,
        label: `/${c.name}${c.hint ? ` ${c.hint}` : ""}`,
        description: c.source === "agent" ? `${c.description} (agent)` : c.description,
      }));
  }
  const name = input.slice(1, space).toLowerCase();
  const arg = input.slice(space + 1).trimStart().toLowerCase();
  const choices = name === "model" ? ctx.models : name === "mode" ? ctx.modes : [];
  return choices
    .filter((c) => c.id.toLowerCase().startsWith(arg))
    .map((c) => ({ value: `/${name} ${c.id}`, label: c.id, description: c.name }));
}

/** Help text lines for /help. */
export function helpLines(agent: readonly AgentCommand[]): string[] {
  const lines = ["Commands:"];
  for (const c of allCommands(agent)) {
    const alias = c.aliases?.length ? ` (${c.aliases.map((a) => `/${a}`).join(", ")})` : "";
    const tag = c.source === "agent" ? " [agent]" : "";
    lines.push(`  /${c.name}${c.hint ? ` ${c.hint}` : ""}${alias} — ${c.description}${tag}`);
  }
  lines.push(
    "Keys: enter send · alt+enter, shift+enter or \\ at line end: newline · ↑/↓ history",
    "      tab complete / focus chat · ctrl+o expand all · pgup/pgdn scroll",
    "      ctrl+x cancel turn · ctrl+c quit",
  );
  return lines;
}
