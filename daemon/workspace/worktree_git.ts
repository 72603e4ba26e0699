/**
 * The git runner for run worktrees: simple-git bound to one directory, never prompting,
 * bounded (a git that writes nothing for `blockMs` is killed), with a fallback committer
 * identity so agentd's commits work on a host without `user.name`/`user.email`.
 *
 * ```ts
 * const git = worktreeGit("/path/to/checkout");
 * const head = (await git.revparse(["HEAD"])).trim();
 * ```
 */
import { type SimpleGit, simpleGit } from "simple-git";
import { ConflictError } from "../../specs/errors.ts";
import { gitEnv } from "./workspace_git.ts";

/** A git command that writes nothing for this long is killed. */
export const GIT_BLOCK_MS = 60_000;

export interface WorktreeGitOptions {
  /** Extra environment (e.g. GIT_INDEX_FILE for a scratch index). */
  env?: Record<string, string>;
}

/** simple-git for `dir` with a clean environment and the fallback identity. */
export function worktreeGit(dir: string, opts: WorktreeGitOptions = {}): SimpleGit {
  return simpleGit({
    baseDir: dir,
    timeout: { block: GIT_BLOCK_MS },
    allowEnvironment: ["GIT_TERMINAL_PROMPT", "GIT_INDEX_FILE"],
  }).env({ ...gitEnv(), ...opts.env });
}

/** `-c user.name/-c user.email` when the repository at `git` has no identity configured. */
export async function identityArgs(git: SimpleGit): Promise<string[]> {
  const has = async (key: string) => {
    try {
      return (await git.raw(["config", "--get", key])).trim() !== "";
    } catch {
      return false;
    }
  };
  const args: string[] = [];
  if (!await has("user.name")) args.push("-c", "user.name=mass");
  if (!await has("user.email")) args.push("-c", "user.email=mass@localhost");
  return args;
}

/** git's "fatal:"/"error:" lines, else the last lines, on one line, at most 500 chars. */
export function gitReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const important = lines.filter((l) => /^(fatal|error):/i.test(l));
  const text = (important.length > 0 ? important : lines.slice(-3)).join("; ");
  return text.length > 500 ? `${text.slice(0, 500)}…` : text || "unknown error";
}

/** Runs `fn`; a git failure becomes a ConflictError (-32001) naming `what`. */
export async function gitStep<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new ConflictError(`${what} failed: ${gitReason(err)}`);
  }
}

/** Lines of `git status --porcelain` (untracked included unless `trackedOnly`). */
export async function porcelain(git: SimpleGit, trackedOnly = false): Promise<string[]> {
  const out = await git.raw([
    "status",
    "--porcelain",
    trackedOnly ? "--untracked-files=no" : "--untracked-files=all",
  ]);
  return out.split("\n").filter((l) => l.trim() !== "");
}
