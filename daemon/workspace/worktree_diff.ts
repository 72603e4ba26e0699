/**
 * A run's changes against its base as one unified diff: its commits, what it has not
 * committed and its untracked files (ignored files aside). Read through a scratch index, so
 * the worktree's own index (what the agent staged) is left as it is.
 *
 * ```ts
 * const { diff, files } = await worktreeDiff(status);
 * const { diff: summary } = await worktreeDiff(status, { stat: true });
 * ```
 */
import { join } from "node:path";
import type { AgentRunDiff, WorktreeStatus } from "../../specs/ari.ts";
import { ConflictError } from "../../specs/errors.ts";
import { isWorktree } from "./worktree_create.ts";
import { gitStep, worktreeGit } from "./worktree_git.ts";

/** The diff of the worktree at `status.path` against `status.base`; -32001 when it is gone. */
export async function worktreeDiff(
  status: WorktreeStatus,
  opts: { stat?: boolean } = {},
): Promise<AgentRunDiff> {
  if (!await isWorktree(status.path)) {
    throw new ConflictError(`worktree ${status.path} is gone; nothing to diff`);
  }
  const scratch = await Deno.makeTempDir({ prefix: "mass-diff-" });
  try {
    const git = worktreeGit(status.path, { env: { GIT_INDEX_FILE: join(scratch, "index") } });
    const top = (await git.raw(["rev-parse", "--show-toplevel"])).trim();
    const inTop = worktreeGit(top, { env: { GIT_INDEX_FILE: join(scratch, "index") } });
    await gitStep("git read-tree", () => inTop.raw(["read-tree", "HEAD"]));
    await gitStep("git add -A", () => inTop.raw(["add", "-A", "."]));
    const common = ["diff", "--cached", "--no-color", "--no-ext-diff", "--find-renames"];
    const diff = await gitStep(
      "git diff",
      () => inTop.raw([...common, ...(opts.stat ? ["--stat"] : []), status.base]),
    );
    const names = await gitStep(
      "git diff",
      () => inTop.raw([...common, "--name-only", status.base]),
    );
    const files = names.split("\n").filter((l) => l !== "");
    return { base: status.base, branch: status.branch, diff, files };
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}
