/**
 * The completion tree the shell scripts are generated from (completion.ts builds it from the
 * commander program; completion.ts and completion_fish.ts render it).
 */

export interface CompletionOption {
  /** e.g. ["-o", "--output"] */
  flags: string[];
  description: string;
  takesValue: boolean;
  choices?: string[];
  /** The value is a file path. */
  files: boolean;
  /** The value is a name the daemon knows (asked with `massctl __complete KIND`). */
  names?: NameKind;
}

/** What `massctl __complete` lists: the names completion offers from the daemon. */
export const NAME_KINDS = ["workspaces", "agents", "runs"] as const;
export type NameKind = (typeof NAME_KINDS)[number];

export interface CompletionNode {
  /** Canonical path, e.g. "agentrun get" ("" for the program). */
  path: string;
  name: string;
  aliases: string[];
  description: string;
  options: CompletionOption[];
  /** Fixed choices of the first positional argument, if any. */
  argChoices: string[];
  /** The positional arguments are names the daemon knows. */
  argNames?: NameKind;
  commands: CompletionNode[];
}
