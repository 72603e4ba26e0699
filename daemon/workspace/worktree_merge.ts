/**
 * Bringing a run's work back: its branch merged (or squashed) into a target branch of the
 * workspace's repository, with git. All or nothing: a conflict aborts the merge and is
 * reported with its files, the target checkout left as it was.
 *
 * ```ts
 * const res = await mergeWorktree({ root, workspace: "ws", run: "a", repoPath, status });
 * if (!res.merged) console.log("conflicts:", res.conflicts);
 * ```
 *
 * - Target: `into`, else the branch checked out in the workspace. It is merged where it is
 *   checked out (the workspace's checkout, or any worktree); a branch checked out nowhere is
 *   merged in a scratch worktree under `<root>/worktrees/<ws>/` that is removed afterwards.
 * - The target checkout must have no uncommitted changes to tracked files (-32001).
 * - Uncommitted work in the run's worktree is first committed on the run's branch (refused
 *   while the run is mid-turn: `busy`).
 */
import { join } from "node:path";
import type { AgentRunMerge, WorktreeStatus } from "../../specs/ari.ts";
import { ConflictError, InvalidParamsError } from "../../specs/errors.ts";
import { currentBranch, isWorktree, repoLocation } from "./worktree_create.ts";
import { gitReason, gitStep, identityArgs, porcelain, worktreeGit } from "./worktree_git.ts";
import { workspaceWorktreesDir } from "./worktree_paths.ts";

export interface MergeWorktreeInput {
  root: string;
  workspace: string;
  run: string;
  /** The workspace's directory (status.path). */
  repoPath: string;
  status: WorktreeStatus;
  squash?: boolean;
  into?: string;
  /** The run is mid-turn: its uncommitted work cannot be committed safely now. */
  busy?: boolean;
}

/** Merges the run's branch into the target; a conflict is a result, not an error. */
export async function mergeWorktree(input: MergeWorktreeInput): Promise<AgentRunMerge> {
  const { top } = await repoLocation(input.repoPath);
  const { branch } = input.status;
  const committed = await commitPending(input);
  const into = input.into ?? await currentBranch(top);
  if (!into) {
    throw new InvalidParamsError(
      `the workspace checkout ${top} is on a detached HEAD: give the branch to merge into (--into)`,
    );
  }
  if (into === branch) throw new InvalidParamsError(`cannot merge ${branch} into itself`);
  const repo = worktreeGit(top);
  await gitStep(
    `git rev-parse ${into}`,
    () => repo.raw(["rev-parse", "--verify", `refs/heads/${into}`]),
  )
    .catch(() => {
      throw new InvalidParamsError(`--into ${into}: no such branch in ${top}`);
    });
  const checkedOut = await checkoutOf(top, into);
  const scratch = checkedOut ? undefined : join(
    workspaceWorktreesDir(input.root, input.workspace),
    `_merge-${input.run}`,
  );
  const dir = checkedOut ?? scratch!;
  if (scratch) {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
    await repo.raw(["worktree", "prune"]).catch(() => {});
    await gitStep(
      `git worktree add ${into}`,
      () => repo.raw(["worktree", "add", "--quiet", scratch, into]),
    );
  }
  try {
    return { ...await mergeIn(dir, into, input), ...(committed ? { committed } : {}) };
  } finally {
    if (scratch) {
      await repo.raw(["worktree", "remove", "--force", scratch]).catch(() => {});
      await Deno.remove(scratch, { recursive: true }).catch(() => {});
    }
  }
}

async function mergeIn(
  dir: string,
  into: string,
  input: MergeWorktreeInput,
): Promise<AgentRunMerge> {
  const { branch } = input.status;
  const git = worktreeGit(dir);
  const dirty = await porcelain(git, true);
  if (dirty.length > 0) {
    throw new ConflictError(
      `${dir} (branch ${into}) has uncommitted changes (${
        dirty.slice(0, 5).map((l) => l.slice(3)).join(", ")
      }): commit or stash them before merging`,
    );
  }
  const head = async () => (await git.raw(["rev-parse", "HEAD"])).trim();
  const before = await head();
  if (await isAncestor(dir, branch, "HEAD")) {
    return { merged: true, into, branch, head: before, upToDate: true };
  }
  const id = await identityArgs(git);
  const label = `${input.workspace}/${input.run}`;
  // git may exit non-zero on a conflict without writing to stderr (which simple-git does not
  // always treat as a failure), so the unmerged paths are what decides.
  let failure: unknown;
  await git.raw([
    ...id,
    "merge",
    ...(input.squash ? ["--squash"] : [
      "--no-edit",
      "-m",
      `Merge ${branch} (mass run ${label})`,
    ]),
    branch,
  ]).catch((err) => failure = err);
  const conflicts = (await git.raw(["diff", "--name-only", "--diff-filter=U"]).catch(() => ""))
    .split("\n").filter((l) => l !== "");
  if (conflicts.length > 0 || failure) {
    await abort(dir, before);
    if (conflicts.length > 0) return { merged: false, into, branch, head: before, conflicts };
    throw new ConflictError(`git merge ${branch} into ${into} failed: ${gitReason(failure)}`);
  }
  if (input.squash) {
    await gitStep(
      "git commit",
      () =>
        git.raw([...id, "commit", "--no-verify", "-m", `Squashed ${branch} (mass run ${label})`]),
    )
      .catch(async (err) => {
        await abort(dir, before);
        throw err;
      });
  }
  return { merged: true, into, branch, head: await head() };
}

/** Leaves `dir` at `before` with nothing half-merged (it was clean when we started). */
async function abort(dir: string, before: string): Promise<void> {
  const git = worktreeGit(dir);
  await git.raw(["merge", "--abort"]).catch(() => {});
  await git.raw(["reset", "--hard", "--quiet", before]).catch(() => {});
}

/** Commits the run's uncommitted work on its branch; its sha, or undefined when clean. */
async function commitPending(input: MergeWorktreeInput): Promise<string | undefined> {
  const { status } = input;
  if (!await isWorktree(status.path)) {
    throw new ConflictError(`worktree ${status.path} is gone; only its branch can be merged`);
  }
  const git = worktreeGit(status.path);
  if ((await porcelain(git)).length === 0) return undefined;
  if (input.busy) {
    throw new ConflictError(
      `agent ${input.run} is mid-turn with uncommitted work: wait for the turn to end (or cancel it), then merge`,
    );
  }
  const { top } = await repoLocation(status.path);
  const inTop = worktreeGit(top);
  const id = await identityArgs(inTop);
  await gitStep("git add -A", () => inTop.raw(["add", "-A", "."]));
  await gitStep("git commit", () =>
    inTop.raw([
      ...id,
      "commit",
      "--no-verify",
      "-m",
      `Work of mass run ${input.workspace}/${input.run}`,
    ]));
  return (await inTop.raw(["rev-parse", "HEAD"])).trim();
}

/** The directory where `branch` is checked out (main checkout or a worktree), if any. */
async function checkoutOf(top: string, branch: string): Promise<string | undefined> {
  const out = await worktreeGit(top).raw(["worktree", "list", "--porcelain"]);
  let path: string | undefined;
  for (const line of out.split("\n")) {
    if (line.startsWith("worktree ")) path = line.slice("worktree ".length);
    if (line === `branch refs/heads/${branch}` && path) return path;
  }
  return undefined;
}

/** `a` is in `b`'s history (compared by merge-base: no reliance on exit codes). */
async function isAncestor(dir: string, a: string, b: string): Promise<boolean> {
  const git = worktreeGit(dir);
  const mergeBase = (await git.raw(["merge-base", a, b]).catch(() => "")).trim();
  return mergeBase !== "" && mergeBase === (await git.raw(["rev-parse", a])).trim();
}
