/**
 * A run's own git worktree: created on its first start, found again on restart and recovery.
 *
 * ```ts
 * const wt = await ensureWorktree({ root, workspace: "ws", run: "a", repoPath, spec: { enabled: true } });
 * // wt.workdir is the agent's cwd; wt.status goes to the run's status.worktree
 * ```
 *
 * - The worktree is `<root>/worktrees/<ws>/<run>` (worktree_paths.ts) on `spec.branch`
 *   (default `mass/<ws>/<run>`), created from `spec.base` (default the checkout's HEAD).
 * - A branch that already exists (a run deleted with its branch kept, then created again) is
 *   checked out as it is; its base is where it forked from `spec.base`.
 * - When the workspace is a sub-directory of its repository, the agent works in the same
 *   sub-directory of the worktree.
 * - The workspace's setup hooks run in the new worktree; a failing hook removes it again.
 */
import { join } from "node:path";
import type { WorktreeSpec, WorktreeStatus } from "../../specs/ari.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import { WorkspacePrepareError } from "./errors.ts";
import { type Hook, runHooks } from "./hooks.ts";
import { defaultWorktreeBranch, runWorktreeDir } from "./worktree_paths.ts";
import { gitReason, worktreeGit } from "./worktree_git.ts";

export interface EnsureWorktreeInput {
  root: string;
  workspace: string;
  run: string;
  /** The workspace's directory (status.path): a git checkout or inside one. */
  repoPath: string;
  spec: WorktreeSpec;
  /** What an earlier start recorded (status.worktree): kept as it is. */
  recorded?: WorktreeStatus;
  /** The workspace's setup hooks, run in a newly created worktree. */
  setupHooks?: readonly Hook[];
  hookTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface EnsuredWorktree {
  status: WorktreeStatus;
  /** The agent's directory: the worktree, or the workspace's sub-directory inside it. */
  workdir: string;
  created: boolean;
  hookOutput?: string;
}

/** Where the workspace sits in its repository; -32602 when it is not in one. */
export async function repoLocation(repoPath: string): Promise<{ top: string; prefix: string }> {
  const git = worktreeGit(repoPath);
  try {
    const top = (await git.raw(["rev-parse", "--show-toplevel"])).trim();
    const prefix = (await git.raw(["rev-parse", "--show-prefix"])).trim().replace(/\/+$/, "");
    return { top, prefix };
  } catch {
    throw new InvalidParamsError(
      `workspace directory ${repoPath} is not a git repository: spec.worktree needs one`,
    );
  }
}

/** The commit `ref` names in the repository at `repoPath`; -32602 when it names none. */
export async function resolveCommit(repoPath: string, ref: string): Promise<string> {
  try {
    return (await worktreeGit(repoPath).raw(["rev-parse", "--verify", `${ref}^{commit}`]))
      .trim();
  } catch {
    throw new InvalidParamsError(`spec.worktree.base ${JSON.stringify(ref)} names no commit`);
  }
}

/** Creates the run's worktree, or finds the one an earlier start made. */
export async function ensureWorktree(input: EnsureWorktreeInput): Promise<EnsuredWorktree> {
  const { top, prefix } = await repoLocation(input.repoPath);
  const dir = runWorktreeDir(input.root, input.workspace, input.run);
  const workdir = prefix ? join(dir, prefix) : dir;
  const repo = worktreeGit(top);
  if (input.recorded && await isWorktree(dir)) {
    return { status: { ...input.recorded, path: dir }, workdir, created: false };
  }
  // A leftover (interrupted create, removed by hand): git forgets it before we add again.
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await repo.raw(["worktree", "prune"]).catch(() => {});
  await Deno.mkdir(join(dir, ".."), { recursive: true });

  const branch = input.spec.branch ?? input.recorded?.branch ??
    defaultWorktreeBranch(input.workspace, input.run);
  const baseRef = input.spec.base ?? await currentBranch(top) ?? "HEAD";
  const baseCommit = await resolveCommit(top, input.spec.base ?? "HEAD");
  const exists = await branchExists(top, branch);
  let base = input.recorded?.base ?? baseCommit;
  try {
    if (exists) {
      await repo.raw(["worktree", "add", "--quiet", dir, branch]);
      if (!input.recorded) base = (await repo.raw(["merge-base", baseCommit, branch])).trim();
    } else {
      await repo.raw(["worktree", "add", "--quiet", "-b", branch, dir, base]);
    }
  } catch (err) {
    throw new WorkspacePrepareError(
      `git worktree add ${dir} (${branch}) failed: ${gitReason(err)}`,
    );
  }
  const status: WorktreeStatus = { path: dir, branch, base, baseRef };
  const hooks = input.setupHooks ?? [];
  if (hooks.length === 0) return { status, workdir, created: true };
  const res = await runHooks(hooks, {
    cwd: workdir,
    deadline: Date.now() + (input.hookTimeoutMs ?? 300_000),
    signal: input.signal,
    label: "setup hook (worktree)",
  });
  if (!res.ok) {
    await repo.raw(["worktree", "remove", "--force", dir]).catch(() => {});
    if (!exists) await repo.raw(["branch", "-D", branch]).catch(() => {});
    throw new WorkspacePrepareError(res.message ?? "setup hook failed", res.output);
  }
  return { status, workdir, created: true, hookOutput: res.output };
}

/** True when `dir` is a checked-out worktree (its `.git` file is there). */
export async function isWorktree(dir: string): Promise<boolean> {
  try {
    return (await Deno.stat(join(dir, ".git"))).isFile;
  } catch {
    return false;
  }
}

async function branchExists(top: string, branch: string): Promise<boolean> {
  const out = await worktreeGit(top).raw([
    "for-each-ref",
    "--format=%(refname)",
    `refs/heads/${branch}`,
  ]);
  return out.trim() === `refs/heads/${branch}`;
}

/** The branch checked out at `dir`, or undefined on a detached HEAD. */
export async function currentBranch(dir: string): Promise<string | undefined> {
  try {
    const name = (await worktreeGit(dir).raw(["symbolic-ref", "--quiet", "--short", "HEAD"]))
      .trim();
    return name || undefined;
  } catch {
    return undefined;
  }
}
