/**
 * Workspace preparation and cleanup (the filesystem side of workspace/create and
 * workspace/delete). The store side (phases, refCount) lives in daemon/store.
 *
 * ```ts
 * try {
 *   const { path, hookOutput } = await prepareWorkspace(name, spec, { root });
 *   await store.casWorkspace(name, ["pending"], (w) => { w.status = { phase: "ready", path } });
 * } catch (err) {
 *   // WorkspacePrepareError: err.message → status.errorMessage, err.hookOutput → status.hookOutput
 * }
 * // workspace/delete, after store.beginWorkspaceDelete(name):
 * await cleanupWorkspace(name, ws.spec, ws.status, { root });
 * await store.deleteWorkspaceIfNoRuns(name);
 * ```
 *
 * - Managed sources (`git`, `emptyDir`) live at `<root>/workspaces/<name>`; that directory
 *   belongs to agentd: a leftover there (interrupted prepare, failed cleanup) is removed
 *   before preparing. `local` directories are used in place and never removed.
 * - The name is validated before any path is built (-32602 InvalidParamsError).
 * - Setup hooks run after the source is ready, in the workspace directory, bounded by what is
 *   left of the prepare timeout (spec.prepareTimeoutSeconds, default 300 s). A failure removes
 *   the managed directory and throws WorkspacePrepareError with the hook's output.
 * - Reference counting: a workspace's users are its AgentRun records; the store keeps that
 *   count atomically (Store.countRuns, status.refCount) and refuses to delete a workspace
 *   with runs. Runs share the directory, so there is no per-run acquire/release here: the
 *   only cleanup is the workspace's own, after its last run is deleted.
 */
import type { WorkspaceSpec, WorkspaceStatus } from "../../specs/ari.ts";
import { WorkspaceSpecSchema } from "../../specs/ari.ts";
import { InternalError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import { WorkspacePrepareError } from "./errors.ts";
import { type HooksResult, runHooks } from "./hooks.ts";
import { managedWorkspaceDir, workspacesDir } from "./paths.ts";
import { makeEmptyDir } from "./workspace_empty.ts";
import { cloneGit } from "./workspace_git.ts";
import { workspaceWorktreesDir } from "./worktree_paths.ts";
import { resolveLocalPath } from "./workspace_local.ts";

export const DEFAULT_PREPARE_TIMEOUT_MS = 300_000;

export interface PrepareOptions {
  /** agentd's root directory. */
  root: string;
  /** Overall bound (clone + setup hooks). Default: spec.prepareTimeoutSeconds, else 300 s. */
  timeoutMs?: number;
  /** Aborts the clone or the running hook (e.g. agentd shutting down). */
  signal?: AbortSignal;
  /** Bytes of hook output kept. Default 4096. */
  hookOutputLimit?: number;
}

export interface PreparedWorkspace {
  /** Absolute real path of the workspace directory (status.path). */
  path: string;
  /** True when agentd created the directory and will remove it on delete. */
  managed: boolean;
  /** Combined output of the setup hooks, truncated; absent when there were none. */
  hookOutput?: string;
}

export interface CleanupOptions {
  root: string;
  /** Bound on the teardown hooks. Default: spec.prepareTimeoutSeconds, else 300 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  hookOutputLimit?: number;
}

export interface CleanupResult {
  /** Teardown outcome; absent when there were no hooks or no directory to run them in. */
  teardown?: HooksResult;
  /** True when a managed directory was removed. */
  removed: boolean;
}

/** True for sources whose directory agentd creates and removes. */
export function isManagedSource(spec: Pick<WorkspaceSpec, "source">): boolean {
  return spec.source.type === "git" || spec.source.type === "emptyDir";
}

/**
 * Makes the workspace directory ready: clone / mkdir / resolve, then the setup hooks.
 * Throws InvalidParamsError for a bad name, WorkspacePrepareError for everything else.
 */
export async function prepareWorkspace(
  name: string,
  spec: WorkspaceSpec,
  opts: PrepareOptions,
): Promise<PreparedWorkspace> {
  assertName(name, "workspace");
  const parsed = WorkspaceSpecSchema.safeParse(spec);
  if (!parsed.success) {
    throw new WorkspacePrepareError(`invalid workspace spec: ${parsed.error.issues[0]?.message}`);
  }
  const timeoutMs = opts.timeoutMs ??
    (spec.prepareTimeoutSeconds ? spec.prepareTimeoutSeconds * 1000 : DEFAULT_PREPARE_TIMEOUT_MS);
  const deadline = Date.now() + timeoutMs;
  const source = parsed.data.source;

  let path: string;
  const managed = isManagedSource(parsed.data);
  if (source.type === "local") {
    path = await resolveLocalPath(source.path, { root: opts.root });
  } else {
    const target = managedWorkspaceDir(opts.root, name);
    await fsStep("create workspaces directory", () => makeEmptyDir(workspacesDir(opts.root)));
    await fsStep("remove stale workspace directory", () => removeIfExists(target));
    try {
      if (source.type === "git") {
        await cloneGit(source, target, { timeoutMs: deadline - Date.now(), signal: opts.signal });
      } else {
        await fsStep("create workspace directory", () => makeEmptyDir(target));
      }
      path = await Deno.realPath(target);
    } catch (err) {
      await removeIfExists(target).catch(() => {});
      throw err;
    }
  }

  const setup = spec.hooks?.setup ?? [];
  if (setup.length === 0) return { path, managed };
  const res = await runHooks(setup, {
    cwd: path,
    deadline,
    signal: opts.signal,
    outputLimit: opts.hookOutputLimit,
    label: "setup hook",
  });
  if (!res.ok) {
    if (managed) await removeIfExists(managedWorkspaceDir(opts.root, name)).catch(() => {});
    throw new WorkspacePrepareError(res.message ?? "setup hook failed", res.output);
  }
  return { path, managed, hookOutput: res.output };
}

/**
 * Undoes prepare: runs the teardown hooks (best effort: failures are reported in the result,
 * never thrown) in the real workspace directory, then removes the directory only when agentd
 * created it. The managed path is recomputed from root and name, never taken from
 * `status.path`. Throws InternalError (-32603) when the managed directory cannot be removed.
 */
export async function cleanupWorkspace(
  name: string,
  spec: WorkspaceSpec,
  status: Pick<WorkspaceStatus, "path"> | undefined,
  opts: CleanupOptions,
): Promise<CleanupResult> {
  assertName(name, "workspace");
  const managed = isManagedSource(spec);
  const dir = managed ? managedWorkspaceDir(opts.root, name) : await localDir(spec, status);
  const result: CleanupResult = { removed: false };

  const teardown = spec.hooks?.teardown ?? [];
  if (teardown.length > 0 && dir !== undefined && await isDirectory(dir)) {
    const timeoutMs = opts.timeoutMs ??
      (spec.prepareTimeoutSeconds ? spec.prepareTimeoutSeconds * 1000 : DEFAULT_PREPARE_TIMEOUT_MS);
    result.teardown = await runHooks(teardown, {
      cwd: dir,
      deadline: Date.now() + timeoutMs,
      signal: opts.signal,
      outputLimit: opts.hookOutputLimit,
      label: "teardown hook",
    });
  }

  // Leftovers of run worktrees (their runs are gone; a removal that failed half-way).
  await Deno.remove(workspaceWorktreesDir(opts.root, name), { recursive: true }).catch(() => {});
  if (managed && dir !== undefined) {
    try {
      result.removed = await removeIfExists(dir);
    } catch (err) {
      throw new InternalError(`remove workspace directory ${dir}: ${messageOf(err)}`);
    }
  }
  return result;
}

/** The real directory of a local workspace: status.path if still valid, else source.path. */
async function localDir(
  spec: WorkspaceSpec,
  status: Pick<WorkspaceStatus, "path"> | undefined,
): Promise<string | undefined> {
  for (const p of [status?.path, spec.source.type === "local" ? spec.source.path : undefined]) {
    if (p && await isDirectory(p)) return await Deno.realPath(p);
  }
  return undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function removeIfExists(path: string): Promise<boolean> {
  try {
    await Deno.remove(path, { recursive: true });
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function fsStep(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new WorkspacePrepareError(`${what}: ${messageOf(err)}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The same operations bound to one root, for injection into the daemon. */
export class WorkspaceManager {
  readonly root: string;
  readonly #hookOutputLimit?: number;

  constructor(opts: { root: string; hookOutputLimit?: number }) {
    this.root = opts.root;
    this.#hookOutputLimit = opts.hookOutputLimit;
  }

  /** `<root>/workspaces/<name>` (-32602 for an invalid name). */
  managedDir(name: string): string {
    return managedWorkspaceDir(this.root, name);
  }

  prepare(
    name: string,
    spec: WorkspaceSpec,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<PreparedWorkspace> {
    return prepareWorkspace(name, spec, {
      ...opts,
      root: this.root,
      hookOutputLimit: this.#hookOutputLimit,
    });
  }

  cleanup(
    name: string,
    spec: WorkspaceSpec,
    status: Pick<WorkspaceStatus, "path"> | undefined,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<CleanupResult> {
    return cleanupWorkspace(name, spec, status, {
      ...opts,
      root: this.root,
      hookOutputLimit: this.#hookOutputLimit,
    });
  }
}
