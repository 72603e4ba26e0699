/**
 * Removing a run's worktree (agentrun/delete): uncommitted work is never thrown away unless
 * forced; the branch stays unless asked to go.
 *
 * ```ts
 * await assertRemovable(status, { force: false }); // -32001 when dirty
 * await removeWorktree(repoPath, status, { deleteBranch: false });
 * ```
 */
import type { WorktreeStatus } from "../../specs/ari.ts";
import { ConflictError } from "../../specs/errors.ts";
import { type Hook, runHooks } from "./hooks.ts";
import { isWorktree } from "./worktree_create.ts";
import { gitStep, porcelain, worktreeGit } from "./worktree_git.ts";

export interface RemoveWorktreeOptions {
  deleteBranch?: boolean;
  /** The workspace's teardown hooks, run in the worktree before it goes (best effort). */
  teardownHooks?: readonly Hook[];
  hookTimeoutMs?: number;
}

/** -32001 when the worktree has uncommitted changes and `force` is not set. */
export async function assertRemovable(
  status: WorktreeStatus,
  opts: { force?: boolean; run: string },
): Promise<void> {
  if (opts.force || !await isWorktree(status.path)) return;
  const changes = await porcelain(worktreeGit(status.path)).catch(() => []);
  if (changes.length === 0) return;
  const files = changes.slice(0, 5).map((l) => l.slice(3)).join(", ");
  throw new ConflictError(
    `agent ${opts.run} has uncommitted changes in its worktree ${status.path} (${files}${
      changes.length > 5 ? ", …" : ""
    }): merge or commit them, or delete with --force`,
  );
}

/** Teardown hooks, `git worktree remove --force`, and the branch when asked. */
export async function removeWorktree(
  repoPath: string,
  status: WorktreeStatus,
  opts: RemoveWorktreeOptions = {},
): Promise<void> {
  const repo = worktreeGit(repoPath);
  if (await isWorktree(status.path)) {
    const hooks = opts.teardownHooks ?? [];
    if (hooks.length > 0) {
      await runHooks(hooks, {
        cwd: status.path,
        deadline: Date.now() + (opts.hookTimeoutMs ?? 300_000),
        label: "teardown hook (worktree)",
      });
    }
    await repo.raw(["worktree", "remove", "--force", "--force", status.path]).catch(() => {});
  }
  await Deno.remove(status.path, { recursive: true }).catch(() => {});
  await repo.raw(["worktree", "prune"]).catch(() => {});
  if (opts.deleteBranch) {
    await gitStep(
      `git branch -D ${status.branch}`,
      () => repo.raw(["branch", "-D", status.branch]),
    );
  }
}
