/**
 * `massctl agentrun diff|merge`: the changes of a run that works in its own git worktree
 * (spec.worktree), and bringing them back into the workspace's branch. Also the create flags
 * that ask for a worktree.
 */
import type { Command } from "@commander-js/extra-typings";
import type { AgentRunMerge, WorktreeSpec } from "../../../specs/ari.ts";
import type { App } from "../app.ts";
import { CliError } from "../errors.ts";
import { printJson } from "./common.ts";

const WS_HELP = "workspace of the agent run";

/** The flags `agentrun create` takes for a worktree. */
export interface WorktreeFlags {
  worktree?: boolean;
  worktreeBase?: string;
  worktreeBranch?: string;
}

/** Adds `--worktree`, `--worktree-base`, `--worktree-branch` to `agentrun create`. */
// deno-lint-ignore no-explicit-any
export function addWorktreeFlags<C extends Command<any, any, any>>(cmd: C): C {
  cmd
    .option("--worktree", "work in an own git worktree on branch mass/<workspace>/<name>")
    .option("--worktree-base <ref>", "with --worktree: create the branch from REF (default HEAD)")
    .option("--worktree-branch <name>", "with --worktree: the branch name");
  return cmd;
}

/**
 * `spec.worktree` from the create flags; absent without `--worktree`. Takes the command's
 * options as a plain object: addWorktreeFlags' options are not in the command's typing.
 */
export function worktreeSpec(opts: object): { worktree?: WorktreeSpec } {
  const flags = opts as WorktreeFlags;
  if (!flags.worktree) {
    if (flags.worktreeBase || flags.worktreeBranch) {
      throw new CliError("--worktree-base and --worktree-branch need --worktree");
    }
    return {};
  }
  return {
    worktree: {
      enabled: true,
      ...(flags.worktreeBase ? { base: flags.worktreeBase } : {}),
      ...(flags.worktreeBranch ? { branch: flags.worktreeBranch } : {}),
    },
  };
}

/** One line per outcome of `agentrun merge`. */
export function formatMerge(key: string, res: AgentRunMerge): string {
  const saved = res.committed
    ? ` (uncommitted work committed as ${res.committed.slice(0, 7)})`
    : "";
  if (res.merged && res.upToDate) return `${res.into} already contains ${res.branch}${saved}`;
  if (res.merged) {
    return `merged ${res.branch} into ${res.into} (now ${res.head.slice(0, 7)})${saved}`;
  }
  return `agentrun ${key}: merging ${res.branch} into ${res.into} conflicts in ${
    (res.conflicts ?? []).join(", ")
  }; merge aborted, ${res.into} unchanged${saved}`;
}

/** Adds `agentrun diff` and `agentrun merge` to the `agentrun` command. */
export function addWorktreeCommands(ar: Command, app: App): void {
  ar.command("diff")
    .description(
      "show a worktree run's changes against its base (committed, uncommitted, new files)",
    )
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .option("--stat", "a summary (files and line counts) instead of the diff")
    .option("--name-only", "only the changed paths")
    .action(async (name, opts) => {
      const client = await app.client();
      const res = await client.call("agentrun/diff", {
        workspace: opts.workspace,
        name,
        ...(opts.stat ? { stat: true } : {}),
      });
      if (opts.nameOnly) app.out(res.files.map((f) => `${f}\n`).join(""));
      else app.out(res.diff);
    });

  ar.command("merge")
    .description("merge a worktree run's branch into the workspace's branch (or --into REF)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .option("--squash", "one commit with all of the run's changes")
    .option("--into <branch>", "the branch to merge into (default: the workspace checkout's)")
    .option("--json", "print the result as JSON")
    .action(async (name, opts) => {
      const client = await app.client();
      const res = await client.call("agentrun/merge", {
        workspace: opts.workspace,
        name,
        ...(opts.squash ? { squash: true } : {}),
        ...(opts.into ? { into: opts.into } : {}),
      });
      if (opts.json) printJson(app, res);
      const line = formatMerge(`${opts.workspace}/${name}`, res);
      if (!res.merged) throw new CliError(line);
      if (!opts.json) app.line(line);
    });
}
