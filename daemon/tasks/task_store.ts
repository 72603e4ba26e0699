/**
 * The task files of one AgentRun: `<bundle>/tasks/task-NNNN.json`.
 *
 * Ids are allocated as (highest existing number + 1) and never wrap: after task-9999 comes
 * task-10000. A new file is published with `link(2)`, which fails instead of overwriting, so
 * two writers can never take the same id. Every write is atomic (temp file + rename), so a
 * reader (or the agent's `massctl agentrun task done`) never sees half a file.
 */
import { writeFileAtomic } from "../../specs/lib/atomic_file.ts";
import { join } from "node:path";
import {
  errorMessage,
  InternalError,
  InvalidParamsError,
  NotFoundError,
} from "../../specs/errors.ts";
import {
  type AgentTask,
  formatTaskFile,
  formatTaskId,
  parseTaskFile,
  taskFileName,
  taskIdProblem,
  taskNumber,
} from "../../specs/tasks.ts";
import { type Logger, silentLogger } from "../logging.ts";

const TASK_FILE_RE = /^(task-\d{4,})\.json$/;
/** Allocation attempts before giving up when other writers keep taking the next id. */
const MAX_ALLOCATION_ATTEMPTS = 100;

/** Throws -32602 unless `id` is `task-NNNN`: checked before an id becomes a path. */
export function assertTaskId(id: unknown): string {
  const problem = taskIdProblem(id);
  if (problem) throw new InvalidParamsError(problem);
  return id as string;
}

/** Task files are readable by the agent (0644). */
export function writeTaskFile(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, text, { mode: 0o644 });
}

/** A task as read from disk, with the exact text (for compare-and-restore). */
export interface StoredTask {
  task: AgentTask;
  text: string;
}

export interface TaskStoreOptions {
  logger?: Logger;
}

/**
 * The task files of one run in `<bundle>/tasks`; ids never collide and writes are atomic (see
 * the module comment).
 */
export class TaskStore {
  /** `<bundle>/tasks`. */
  readonly dir: string;
  readonly #log: Logger;

  constructor(dir: string, opts: TaskStoreOptions = {}) {
    this.dir = dir;
    this.#log = opts.logger ?? silentLogger;
  }

  /** The file of task `id`; the id is validated first. */
  pathOf(id: string): string {
    return join(this.dir, taskFileName(assertTaskId(id)));
  }

  /**
   * Writes a new task under the next free id; `build` makes the task for a given id (it may
   * be called again with a later id when another writer took that one first).
   */
  async create(build: (id: string) => AgentTask): Promise<AgentTask> {
    await Deno.mkdir(this.dir, { recursive: true });
    let n = await this.#highestNumber() + 1;
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++, n++) {
      if (!Number.isSafeInteger(n)) throw new InternalError("task ids are exhausted");
      const id = formatTaskId(n);
      const task = build(id);
      if (task.id !== id) throw new InternalError(`task built for ${id} has id ${task.id}`);
      if (await this.#publishNew(this.pathOf(id), formatTaskFile(task))) return task;
    }
    throw new InternalError(`could not allocate a task id in ${this.dir}`);
  }

  /** Task `id`; -32602 "task X not found" when there is no such file. */
  async get(id: string): Promise<AgentTask> {
    return (await this.read(id)).task;
  }

  /** Task `id` and its file's text; -32602 when absent, -32603 when unreadable. */
  async read(id: string): Promise<StoredTask> {
    const path = this.pathOf(id);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) throw new NotFoundError(`task ${id} not found`);
      throw new InternalError(`task ${id} is unreadable: ${errorMessage(err)}`);
    }
    try {
      return { task: parseTaskFile(text), text };
    } catch (err) {
      throw new InternalError(`task ${id} is unreadable: ${errorMessage(err)}`);
    }
  }

  /**
   * Every readable task, in id order (numeric: task-10000 after task-9999). Files that are
   * not valid tasks are skipped and logged. No tasks directory → `[]`.
   */
  async list(): Promise<AgentTask[]> {
    const found: { n: number; task: AgentTask }[] = [];
    for (const id of await this.#ids()) {
      try {
        const text = await Deno.readTextFile(join(this.dir, taskFileName(id)));
        const task = parseTaskFile(text);
        if (task.id !== id) throw new Error(`its id is ${task.id}`);
        found.push({ n: taskNumber(id), task });
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) continue;
        this.#log.warn("task file skipped", {
          file: join(this.dir, taskFileName(id)),
          error: errorMessage(err),
        });
      }
    }
    return found.sort((a, b) => a.n - b.n).map((f) => f.task);
  }

  /** Rewrites an existing task atomically; returns the text written. */
  async replace(task: AgentTask): Promise<string> {
    const text = formatTaskFile(task);
    await writeTaskFile(this.pathOf(task.id), text);
    return text;
  }

  /**
   * Puts `previous` back, but only if the file still holds `expected` (what we wrote): an
   * agent that completed the task meanwhile keeps its completion. Returns whether it did.
   */
  async restoreIf(id: string, expected: string, previous: string): Promise<boolean> {
    const path = this.pathOf(id);
    const now = await Deno.readTextFile(path).catch(() => undefined);
    if (now !== expected) return false;
    await writeTaskFile(path, previous);
    return true;
  }

  /** Removes task `id`'s file (no error when it is already gone). */
  async remove(id: string): Promise<void> {
    await Deno.remove(this.pathOf(id)).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
  }

  /** Ids of the task files present (unordered). */
  async #ids(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const e of Deno.readDir(this.dir)) {
        const m = TASK_FILE_RE.exec(e.name);
        if (m && (e.isFile || e.isSymlink)) ids.push(m[1]);
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
    return ids;
  }

  async #highestNumber(): Promise<number> {
    let max = 0;
    for (const id of await this.#ids()) max = Math.max(max, taskNumber(id));
    return max;
  }

  /** Publishes `text` at `path` unless a file is there already (then false). */
  async #publishNew(path: string, text: string): Promise<boolean> {
    const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    await Deno.writeTextFile(tmp, text, { mode: 0o644, createNew: true });
    try {
      await Deno.link(tmp, path);
      return true;
    } catch (err) {
      if (err instanceof Deno.errors.AlreadyExists) return false;
      throw err;
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  }
}
