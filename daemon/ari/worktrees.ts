/**
 * ARI for run worktrees (spec.worktree, specs/workspace.md "Worktrees"): `agentrun/diff` and
 * `agentrun/merge`, plus what the worktree adds to `agentrun/create` (the workspace must be
 * a git repository and `base` must name a commit: -32602 up front rather than a failed
 * start) and to `agentrun/get|list` (status.worktree's live `dirty` and `ahead`). This group
 * comes after agentruns.ts's and wraps the same RunSupervisor.
 */
import type { AgentRun, ListResult, RunKey, Workspace } from "../../specs/ari.ts";
import { ConflictError, InvalidParamsError } from "../../specs/errors.ts";
import { assertName } from "../../specs/names.ts";
import type { AriHandlers } from "../context.ts";
import { KeyedMutex } from "../runs/keyed_mutex.ts";
import type { RunSupervisor } from "../runs/run_supervisor.ts";
import type { Store } from "../store/store.ts";
import { repoLocation, resolveCommit } from "../workspace/worktree_create.ts";
import { worktreeDiff } from "../workspace/worktree_diff.ts";
import { mergeWorktree } from "../workspace/worktree_merge.ts";
import { worktreeState } from "../workspace/worktree_state.ts";
import { methodParams, parseListParams } from "./params.ts";

export interface WorktreeHandlerDeps {
  runs: RunSupervisor;
  store: Store;
  /** agentd's root (worktrees live under `<root>/worktrees/`). */
  root: string;
}

function checkedKey(p: RunKey): RunKey {
  return { workspace: assertName(p.workspace, "workspace"), name: assertName(p.name, "name") };
}

/** The run's status with the worktree's live state read in. */
async function withWorktreeState(run: AgentRun): Promise<AgentRun> {
  const wt = run.status.worktree;
  if (!wt) return run;
  return { ...run, status: { ...run.status, worktree: await worktreeState(wt) } };
}

/** The worktree handler group (overrides agentrun/create|get|list of agentruns.ts). */
export function worktreeHandlers(deps: WorktreeHandlerDeps): AriHandlers {
  const { runs, store, root } = deps;
  // Merges into one workspace's repository go one at a time (git's index lock would refuse
  // a second one half-way).
  const merges = new KeyedMutex();

  /** The run and its workspace's directory; -32001 when the run has no worktree. */
  async function worktreeRun(key: RunKey): Promise<{ run: AgentRun; ws: Workspace; path: string }> {
    const run = await runs.get(key);
    const wt = run.status.worktree;
    if (!wt) {
      const why = run.spec.worktree?.enabled
        ? "its worktree is not created yet (the run has not started)"
        : "it was created without spec.worktree";
      throw new ConflictError(`agent ${key.workspace}/${key.name} has no worktree: ${why}`);
    }
    const ws = await store.getWorkspace(key.workspace);
    if (!ws?.status.path) throw new ConflictError(`workspace ${key.workspace} has no directory`);
    return { run, ws, path: ws.status.path };
  }

  return {
    "agentrun/create": async (params) => {
      const input = methodParams("agentrun/create", params);
      const spec = input.spec.worktree;
      if (spec?.enabled) {
        const ws = await store.getWorkspace(input.metadata.workspace);
        // A missing or unready workspace is the store's to report, as without a worktree.
        if (ws?.status.path) {
          await repoLocation(ws.status.path);
          if (spec.base) await resolveCommit(ws.status.path, spec.base);
        }
      }
      return runs.create(input);
    },

    "agentrun/get": async (params) => {
      const p = methodParams("agentrun/get", params);
      return withWorktreeState(await runs.get(checkedKey(p)));
    },

    "agentrun/list": async (params): Promise<ListResult<AgentRun>> => ({
      items: await Promise.all((await runs.list(parseListParams(params))).map(withWorktreeState)),
    }),

    /** The run's changes against its base (commits, uncommitted and untracked files). */
    "agentrun/diff": async (params) => {
      const p = methodParams("agentrun/diff", params);
      const { run } = await worktreeRun(checkedKey(p));
      return worktreeDiff(run.status.worktree!, { stat: p.stat });
    },

    /** Merges the run's branch; a conflict answers `merged: false` with the files. */
    "agentrun/merge": async (params) => {
      const p = methodParams("agentrun/merge", params);
      const key = checkedKey(p);
      const { run, path } = await worktreeRun(key);
      if (p.into !== undefined && p.into.trim() === "") {
        throw new InvalidParamsError("into must not be empty");
      }
      return merges.run(key.workspace, () =>
        mergeWorktree({
          root,
          workspace: key.workspace,
          run: key.name,
          repoPath: path,
          status: run.status.worktree!,
          squash: p.squash,
          into: p.into,
          busy: run.status.phase === "running",
        }));
    },
  };
}
