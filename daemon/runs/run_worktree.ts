/**
 * The run-supervision side of run worktrees (spec.worktree): which directory a run's agent
 * works in, and what deleting the run does to its worktree. The git work itself is in
 * daemon/workspace/worktree_*.ts.
 */
import type { AgentRun, RunKey, Workspace } from "../../specs/ari.ts";
import type { Store } from "../store/store.ts";
import { ensureWorktree } from "../workspace/worktree_create.ts";
import { workspaceWorktreesDir } from "../workspace/worktree_paths.ts";
import { assertRemovable, removeWorktree } from "../workspace/worktree_remove.ts";

export interface RunWorktreeDeleteOptions {
  /** Remove a worktree with uncommitted changes (refused with -32001 otherwise). */
  force?: boolean;
  /** Delete the run's branch too (kept by default). */
  deleteBranch?: boolean;
}

function hookTimeoutMs(ws: Workspace): number | undefined {
  return ws.spec.prepareTimeoutSeconds ? ws.spec.prepareTimeoutSeconds * 1000 : undefined;
}

/**
 * The agent's directory for `run`: the workspace's, or the run's own worktree (created on
 * the first start, the same one on every restart and after recovery; recorded in
 * status.worktree).
 */
export async function runWorkdir(
  store: Store,
  root: string,
  run: AgentRun,
  ws: Workspace,
  signal?: AbortSignal,
): Promise<string> {
  const spec = run.spec.worktree;
  if (!ws.status.path) throw new Error(`workspace ${ws.metadata.name} has no directory`);
  if (!spec?.enabled) return ws.status.path;
  const key: RunKey = { workspace: run.metadata.workspace, name: run.metadata.name };
  const wt = await ensureWorktree({
    root,
    workspace: key.workspace,
    run: key.name,
    repoPath: ws.status.path,
    spec,
    recorded: run.status.worktree,
    setupHooks: ws.spec.hooks?.setup,
    hookTimeoutMs: hookTimeoutMs(ws),
    signal,
  });
  if (wt.created || run.status.worktree?.path !== wt.status.path) {
    await store.updateRun(key, (r) => {
      r.status.worktree = wt.status;
    });
  }
  return wt.workdir;
}

/** Before a delete: -32001 when the run's worktree holds uncommitted work and not `force`. */
export async function checkRunWorktreeDelete(
  run: AgentRun,
  opts: RunWorktreeDeleteOptions,
): Promise<void> {
  const status = run.status.worktree;
  if (status) {
    await assertRemovable(status, {
      force: opts.force,
      run: `${run.metadata.workspace}/${run.metadata.name}`,
    });
  }
}

/** Removes the run's worktree (teardown hooks first) and, when asked, its branch. */
export async function removeRunWorktree(
  root: string,
  run: AgentRun,
  ws: Workspace | undefined,
  opts: RunWorktreeDeleteOptions,
): Promise<void> {
  const status = run.status.worktree;
  if (!status || !ws?.status.path) return;
  await removeWorktree(ws.status.path, status, {
    deleteBranch: opts.deleteBranch,
    teardownHooks: ws.spec.hooks?.teardown,
    hookTimeoutMs: hookTimeoutMs(ws),
  });
  // The workspace's worktrees folder goes with its last worktree (fails while others remain).
  await Deno.remove(workspaceWorktreesDir(root, run.metadata.workspace)).catch(() => {});
}
