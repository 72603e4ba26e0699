/**
 * `agentrun/task/*`: hand a task to an AgentRun as a file in its bundle and prompt the agent
 * to do it; read tasks back; retry one that is not done. The agent records the outcome
 * itself with `massctl agentrun task done` (no daemon involved).
 *
 * The prompt goes through the run supervisor's own prompt path (idle→running reservation,
 * delivery-failure reporting); the recovery gate is the ARI server's. The task file is
 * written before the prompt (the agent reads it) and rolled back when the prompt is
 * refused. do/retry of one run are serialised, so two of them never undo each other.
 */
import { join } from "node:path";
import type { AgentRun, PromptAccepted, RunKey, Workspace } from "../../specs/ari.ts";
import { ConflictError, InvalidParamsError } from "../../specs/errors.ts";
import type { ContentBlock } from "../../specs/events.ts";
import { assertName } from "../../specs/names.ts";
import {
  type AgentTask,
  retryTask,
  type TaskDoParams,
  type TaskKeyParams,
  TASKS_DIR,
} from "../../specs/tasks.ts";
import { type Logger, silentLogger } from "../logging.ts";
import { KeyedMutex } from "../runs/keyed_mutex.ts";
import { allows } from "../runs/phase.ts";
import { confineOutputDir, makeDirs, removeCreated } from "./output_dir.ts";
import { retryPrompt, taskPrompt } from "./task_prompt.ts";
import { assertTaskId, TaskStore } from "./task_store.ts";

/** What tasks need from the run supervisor (daemon/runs/run_supervisor.ts). */
export interface TaskRuns {
  /** The run; -32602 when absent. */
  get(key: RunKey): Promise<AgentRun>;
  /** agentrun/prompt: reserve idle→running and dispatch, or throw (-32001 / -32602). */
  prompt(key: RunKey, prompt: ContentBlock[]): Promise<PromptAccepted>;
  /** Bundle paths of a run (names validated). */
  bundlePathsOf(key: RunKey): { dir: string };
}

/** What tasks need from the store. */
export interface TaskWorkspaces {
  getWorkspace(name: string): Promise<Workspace | undefined>;
}

export interface TaskServiceDeps {
  runs: TaskRuns;
  store: TaskWorkspaces;
  logger?: Logger;
  now?: () => Date;
}

/**
 * The `agentrun/task/*` operations: do, get, list and retry tasks of a run (see the module
 * comment).
 */
export class TaskService {
  readonly #runs: TaskRuns;
  readonly #store: TaskWorkspaces;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #mutex = new KeyedMutex();

  constructor(deps: TaskServiceDeps) {
    this.#runs = deps.runs;
    this.#store = deps.store;
    this.#log = (deps.logger ?? silentLogger).child("tasks");
    this.#now = deps.now ?? (() => new Date());
  }

  /** The task store of a run (names validated). */
  storeOf(key: RunKey): TaskStore {
    const { dir } = this.#runs.bundlePathsOf(checkedKey(key));
    return new TaskStore(join(dir, TASKS_DIR), { logger: this.#log });
  }

  /** agentrun/task/do: writes task-NNNN.json (attempt 1) and prompts the agent with it. */
  do(params: TaskDoParams): Promise<AgentTask> {
    const key = checkedKey(params);
    return this.#mutex.run(runId(key), async () => {
      const workspace = await this.#readyForTask(key);
      const bundle = this.#runs.bundlePathsOf(key).dir;
      const outputDir = params.outputDir === undefined
        ? undefined
        : await confineOutputDir(params.outputDir, { workspace: workspace.status.path, bundle });
      const tasks = this.storeOf(key);
      const task = await tasks.create((id) => ({
        id,
        assignee: key.name,
        attempt: 1,
        createdAt: this.#now().toISOString(),
        request: {
          prompt: params.prompt,
          ...(params.inputFiles === undefined ? {} : { inputFiles: params.inputFiles }),
          outputDir: outputDir ?? join(tasks.dir, id, "output"),
        },
        done: false,
      }));
      const out = task.request.outputDir!;
      let created: string | undefined;
      try {
        created = await makeDirs(out);
        await this.#runs.prompt(key, taskPrompt(tasks.pathOf(task.id), task.attempt));
      } catch (err) {
        await tasks.remove(task.id);
        await removeCreated(out, created);
        throw err;
      }
      this.#log.info("task sent", { run: runId(key), task: task.id, outputDir: out });
      return task;
    });
  }

  /** agentrun/task/get: the task file; -32602 when there is none. */
  async get(params: TaskKeyParams): Promise<AgentTask> {
    const key = checkedKey(params);
    const id = assertTaskId(params.taskId);
    await this.#runs.get(key);
    return await this.storeOf(key).get(id);
  }

  /** agentrun/task/list: every readable task of the run, in id order (never null). */
  async list(params: RunKey): Promise<{ items: AgentTask[] }> {
    const key = checkedKey(params);
    await this.#runs.get(key);
    return { items: await this.storeOf(key).list() };
  }

  /**
   * agentrun/task/retry: next attempt, not done, reason/updatedAt/response cleared; prompts
   * the agent to finish or continue. The file is put back when the prompt is refused.
   */
  retry(params: TaskKeyParams): Promise<AgentTask> {
    const key = checkedKey(params);
    const id = assertTaskId(params.taskId);
    return this.#mutex.run(runId(key), async () => {
      await this.#readyForTask(key);
      const tasks = this.storeOf(key);
      const before = await tasks.read(id);
      const next = retryTask(before.task);
      const written = await tasks.replace(next);
      try {
        await this.#runs.prompt(key, retryPrompt(tasks.pathOf(id), next.attempt));
      } catch (err) {
        const restored = await tasks.restoreIf(id, written, before.text);
        if (!restored) this.#log.warn("task changed while its retry failed", { task: id });
        throw err;
      }
      this.#log.info("task retried", { run: runId(key), task: id, attempt: next.attempt });
      return next;
    });
  }

  /**
   * Checks what can be checked before touching a file: the run exists and is idle, and
   * its workspace allows tasks. The reservation itself is the supervisor's.
   */
  async #readyForTask(key: RunKey): Promise<Workspace> {
    const run = await this.#runs.get(key);
    const workspace = await this.#store.getWorkspace(key.workspace);
    if (!workspace) throw new InvalidParamsError(`workspace ${key.workspace} not found`);
    if (workspace.spec.features?.agentTask === false) {
      throw new InvalidParamsError(
        `agent tasks are disabled in workspace ${key.workspace} (features.agentTask is false)`,
      );
    }
    if (!allows(run.status.phase, "reserve")) {
      throw new ConflictError(`agent ${runId(key)} is not idle (phase=${run.status.phase})`);
    }
    return workspace;
  }
}

function checkedKey(p: RunKey): RunKey {
  return { workspace: assertName(p.workspace, "workspace"), name: assertName(p.name, "name") };
}

function runId(key: RunKey): string {
  return `${key.workspace}/${key.name}`;
}
