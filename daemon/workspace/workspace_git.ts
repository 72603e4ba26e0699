/**
 * `git` source: clone `url` into a managed directory with simple-git.
 *
 * - `ref` absent: default branch (`--single-branch`).
 * - `ref` of exactly 40 hex characters: a commit SHA. Clone without `--branch`
 *   (`--no-checkout`), then `git checkout --detach SHA`; when the SHA is not in the (possibly
 *   shallow) clone, fetch it by id from origin first.
 * - any other `ref`: `--single-branch --branch ref` (a branch or a tag).
 * - `depth` > 0: `--depth N` (0 or absent = full history).
 * - Never prompts (GIT_TERMINAL_PROMPT=0) and is bounded by `timeoutMs`: on expiry the git
 *   process is killed and the clone fails with "timed out".
 */
import { dirname } from "node:path";
import { simpleGit } from "simple-git";
import type { WorkspaceSource } from "../../specs/ari.ts";
import { WorkspacePrepareError } from "./errors.ts";

export type GitSource = Extract<WorkspaceSource, { type: "git" }>;

export interface CloneOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

const SHA_RE = /^[0-9a-fA-F]{40}$/;
/** Conservative ref syntax: no leading '-', no whitespace, control chars or git-special chars. */
const REF_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._/+@-]+$/;
/** simple-git strips or refuses these from a child's environment (see its env guard). */
const GUARDED_ENV = new Set(["editor", "pager", "prefix", "ssh_askpass", "visual"]);

/**
 * True when `ref` is a full 40-hex-digit commit SHA (checked out by SHA, not by branch or tag).
 */
export function isCommitSha(ref: string | undefined): ref is string {
  return ref !== undefined && SHA_RE.test(ref);
}

/** Returns a reason when the source cannot be cloned safely, else undefined. */
export function gitSourceProblem(src: GitSource): string | undefined {
  if (typeof src.url !== "string" || src.url.trim() === "") return "source.url is required";
  if (src.url.startsWith("-")) return "source.url must not start with '-'";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(src.url)) return "source.url contains control characters";
  if (src.ref !== undefined && !REF_RE.test(src.ref)) {
    return `invalid source.ref ${JSON.stringify(src.ref)}`;
  }
  if (src.depth !== undefined && (!Number.isInteger(src.depth) || src.depth < 0)) {
    return "source.depth must be a non-negative integer";
  }
  return undefined;
}

/**
 * Clones `src` into `target` (which must not exist; its parent must). Throws
 * WorkspacePrepareError with git's own error line(s) on failure.
 */
export async function cloneGit(src: GitSource, target: string, opts: CloneOptions): Promise<void> {
  const problem = gitSourceProblem(src);
  if (problem) throw new WorkspacePrepareError(`git workspace: ${problem}`);

  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, Math.max(0, opts.timeoutMs));
  const onAbort = () => ctrl.abort();
  if (opts.signal?.aborted) ctrl.abort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });

  const git = (baseDir: string) =>
    simpleGit({
      baseDir,
      abort: ctrl.signal,
      allowEnvironment: ["GIT_TERMINAL_PROMPT"],
      // A transfer slower than 1 B/s for this long fails inside git itself, so its
      // remote-helper child does not linger after we kill the parent.
      config: [
        "http.lowSpeedLimit=1",
        `http.lowSpeedTime=${Math.max(1, Math.ceil(opts.timeoutMs / 1000))}`,
      ],
    }).env(gitEnv());

  const sha = isCommitSha(src.ref) ? src.ref : undefined;
  const depth = src.depth && src.depth > 0 ? ["--depth", String(src.depth)] : [];
  const cloneArgs = sha
    ? [...depth, "--no-checkout"]
    : [...depth, "--single-branch", ...(src.ref ? ["--branch", src.ref] : [])];

  let step = `git clone ${src.url}`;
  try {
    await git(dirname(target)).clone(src.url, target, cloneArgs);
    if (sha) {
      step = `git checkout ${sha}`;
      const repo = git(target);
      try {
        await repo.raw(["checkout", "--quiet", "--detach", sha]);
      } catch {
        // Not in the clone (shallow, or only on an unadvertised ref): fetch it by id.
        step = `git fetch ${sha}`;
        await repo.raw(["fetch", "--quiet", ...depth, "origin", sha]);
        step = `git checkout ${sha}`;
        await repo.raw(["checkout", "--quiet", "--detach", sha]);
      }
    }
  } catch (err) {
    if (timedOut) {
      throw new WorkspacePrepareError(`${step} timed out after ${opts.timeoutMs} ms`);
    }
    if (ctrl.signal.aborted) throw new WorkspacePrepareError(`${step}: aborted`);
    throw new WorkspacePrepareError(`${step} failed: ${gitReason(err)}`);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

/** Host environment minus git's own variables and what simple-git refuses; no prompts. */
export function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    const lower = k.toLowerCase();
    if (lower.startsWith("git_") || GUARDED_ENV.has(lower)) continue;
    env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = "0";
  return env;
}

/** git's "fatal:"/"error:" lines, else the last lines, on one line, at most 500 chars. */
function gitReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const important = lines.filter((l) => /^(fatal|error):/i.test(l));
  const text = (important.length > 0 ? important : lines.slice(-3)).join("; ");
  return text.length > 500 ? `${text.slice(0, 500)}…` : text || "unknown error";
}
