/**
 * The git directories outside a worktree that git needs when it runs inside it: a linked
 * worktree's `.git` is a file (`gitdir: <repo>/.git/worktrees/<name>`), and that directory's
 * `commondir` names the repository's own `.git` (objects, refs), where a commit writes.
 * Sandboxes (Deno permission flags, an OS sandbox's view) give both to the agent-run.
 */
import { isAbsolute, join, resolve } from "node:path";

/**
 * `[gitDir, commonDir]` (real paths) when `workspaceDir` is a linked git worktree, else [].
 *
 * @example
 * ```ts
 * const extra = gitWorktreeDirs("/root/worktrees/ws/a");
 * // ["/repo/.git/worktrees/a", "/repo/.git"]
 * ```
 */
export function gitWorktreeDirs(workspaceDir: string): string[] {
  let pointer: string;
  try {
    pointer = Deno.readTextFileSync(join(workspaceDir, ".git"));
  } catch {
    return []; // no .git file: not a linked worktree (a `.git` directory is inside already)
  }
  const match = /^gitdir:\s*(.+?)\s*$/m.exec(pointer);
  if (!match) return [];
  const gitDir = isAbsolute(match[1]) ? match[1] : resolve(workspaceDir, match[1]);
  let common = gitDir;
  try {
    const rel = Deno.readTextFileSync(join(gitDir, "commondir")).trim();
    common = isAbsolute(rel) ? rel : resolve(gitDir, rel);
  } catch {
    // no commondir: the gitdir is the whole repository
  }
  const real = (p: string) => {
    try {
      return Deno.realPathSync(p);
    } catch {
      return p;
    }
  };
  return [...new Set([real(gitDir), real(common)])];
}
