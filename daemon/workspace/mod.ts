/**
 * Workspace preparation and cleanup: sources (git, local, emptyDir), setup/teardown hooks,
 * managed directories under `<root>/workspaces/`. See workspace_manager.ts. Run worktrees
 * (spec.worktree): worktree_*.ts.
 */
export * from "./workspace_manager.ts";
export * from "./errors.ts";
export * from "./hooks.ts";
export * from "./paths.ts";
export {
  cloneGit,
  type CloneOptions,
  type GitSource,
  gitSourceProblem,
  isCommitSha,
} from "./workspace_git.ts";
export { type ResolveLocalOptions, resolveLocalPath } from "./workspace_local.ts";
export { makeEmptyDir } from "./workspace_empty.ts";
export {
  type EnsuredWorktree,
  ensureWorktree,
  type EnsureWorktreeInput,
} from "./worktree_create.ts";
export { worktreeDiff } from "./worktree_diff.ts";
export { mergeWorktree, type MergeWorktreeInput } from "./worktree_merge.ts";
export { assertRemovable, removeWorktree } from "./worktree_remove.ts";
export { worktreeState } from "./worktree_state.ts";
export { defaultWorktreeBranch, runWorktreeDir, workspaceWorktreesDir } from "./worktree_paths.ts";
