/**
 * Where run worktrees live: `<root>/worktrees/<workspace>/<run>`. Not under
 * `<root>/workspaces/<workspace>`, which for a `git` workspace is the checkout itself: a
 * worktree must never sit inside the checkout it branches from.
 */
import { join } from "node:path";
import { assertName } from "../../specs/names.ts";

/** `<root>/worktrees/<workspace>`. */
export function workspaceWorktreesDir(root: string, workspace: string): string {
  return join(root, "worktrees", assertName(workspace, "workspace"));
}

/** `<root>/worktrees/<workspace>/<run>`. */
export function runWorktreeDir(root: string, workspace: string, run: string): string {
  return join(workspaceWorktreesDir(root, workspace), assertName(run, "name"));
}

/** The branch a run works on unless `spec.worktree.branch` names one. */
export function defaultWorktreeBranch(workspace: string, run: string): string {
  return `mass/${workspace}/${run}`;
}
