/**
 * Workspace preparation and cleanup: sources (git, local, emptyDir), setup/teardown hooks,
 * managed directories under `<root>/workspaces/`. See workspace_manager.ts.
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
