/**
 * The live part of `status.worktree`: uncommitted changes (`dirty`) and commits ahead of the
 * base (`ahead`), read from the worktree with git each time they are asked for.
 */
import type { WorktreeStatus } from "../../specs/ari.ts";
import { isWorktree } from "./worktree_create.ts";
import { porcelain, worktreeGit } from "./worktree_git.ts";

/**
 * `status` with `dirty` and `ahead` filled in; unchanged when the worktree is gone or git
 * cannot read it (a status read never fails because of the worktree).
 */
export async function worktreeState(status: WorktreeStatus): Promise<WorktreeStatus> {
  if (!await isWorktree(status.path)) return status;
  try {
    const git = worktreeGit(status.path);
    const dirty = (await porcelain(git)).length > 0;
    const ahead = Number((await git.raw(["rev-list", "--count", `${status.base}..HEAD`])).trim());
    return { ...status, dirty, ahead: Number.isFinite(ahead) ? ahead : 0 };
  } catch {
    return status;
  }
}
