/**
 * Where managed workspaces live: `<root>/workspaces/<name>` (one level, unlike the original's
 * `<root>/workspaces/workspaces/<name>`). The name is validated before any path is built.
 */
import { join } from "node:path";
import { assertName } from "../../specs/names.ts";

/** `<root>/workspaces`. */
export function workspacesDir(root: string): string {
  return join(root, "workspaces");
}

/** `<root>/workspaces/<name>`; throws -32602 for an invalid name. */
export function managedWorkspaceDir(root: string, name: string): string {
  return join(workspacesDir(root), assertName(name, "workspace"));
}
