/**
 * Agent tasks (`agentrun/task/*`): a request handed to an AgentRun as a JSON file in its
 * bundle, which the agent completes by running `massctl agentrun task done`. Wire-compatible
 * with the original MASS; see specs/tasks.md.
 */
import { z } from "zod";
import { RunKeySchema } from "./ari.ts";

/** `task-NNNN`: four digits at least; ids keep growing past 9999 (task-10000), never wrap. */
export const TASK_ID_RE: RegExp = /^task-\d{4,}$/;

/** Directory of a run's tasks inside its bundle, and each task's file name. */
export const TASKS_DIR = "tasks";
/** The file name of task `id` in TASKS_DIR: `<id>.json`. */
export function taskFileName(id: string): string {
  return `${id}.json`;
}

/** Returns an error message, or undefined when `id` is a valid task id. */
export function taskIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string" || id.length === 0) return "taskId is required";
  if (!TASK_ID_RE.test(id)) {
    return `invalid taskId ${JSON.stringify(id.slice(0, 80))}: expected task-NNNN`;
  }
  return undefined;
}

/** The id of the `n`th task: `task-0001` … `task-9999`, `task-10000` …. */
export function formatTaskId(n: number): string {
  return `task-${String(n).padStart(4, "0")}`;
}

/** The number of a valid task id (`task-0042` → 42). */
export function taskNumber(id: string): number {
  return Number(id.slice("task-".length));
}

/** What the agent is asked to do; fields beyond these are kept as written. */
export const TaskRequestSchema = z.looseObject({
  prompt: z.string(),
  inputFiles: z.array(z.string()).optional(),
  /** Where the agent puts what it produces; created by agentd before the task is sent. */
  outputDir: z.string().optional(),
});
export type TaskRequest = z.infer<typeof TaskRequestSchema>;

/** A JSON object (the shape `response` must have). */
export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** The task file `<bundle>/tasks/<id>.json`, and the ARI result of every task method. */
export const AgentTaskSchema = z.looseObject({
  id: z.string().regex(TASK_ID_RE, "expected task-NNNN"),
  /** Name of the AgentRun the task was given to. */
  assignee: z.string(),
  /** 1 on task/do, +1 on every task/retry. */
  attempt: z.number().int().nonnegative(),
  createdAt: z.string(),
  request: TaskRequestSchema,
  done: z.boolean(),
  /** Set by `task done` (e.g. success, failed, needs_human); cleared by task/retry. */
  reason: z.string().optional(),
  /** When `task done` was run; cleared by task/retry. */
  updatedAt: z.string().optional(),
  /** The agent's result, a JSON object; cleared by task/retry. */
  response: JsonObjectSchema.optional(),
});
export type AgentTask = z.infer<typeof AgentTaskSchema>;

/** Parses a task file's text; throws a one-line Error when it is not a task. */
export function parseTaskFile(text: string): AgentTask {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const res = AgentTaskSchema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    const field = issue.path.map(String).join(".");
    throw new Error(`not a task: ${field ? `${field}: ` : ""}${issue.message}`);
  }
  return res.data;
}

/** How task files are written: pretty JSON and a final newline. */
export function formatTaskFile(task: AgentTask): string {
  return JSON.stringify(task, null, 2) + "\n";
}

/** The task as `massctl agentrun task done` leaves it. */
export function completeTask(
  task: AgentTask,
  done: { reason: string; response: JsonObject; now: Date },
): AgentTask {
  return {
    ...task,
    done: true,
    reason: done.reason,
    updatedAt: done.now.toISOString(),
    response: done.response,
  };
}

/** The task as task/retry leaves it: next attempt, not done, outcome of the last one cleared. */
export function retryTask(task: AgentTask): AgentTask {
  const { reason: _r, updatedAt: _u, response: _s, ...rest } = task;
  return { ...rest, attempt: Math.max(1, task.attempt) + 1, done: false };
}

// ---------- ARI params ----------

export const TaskDoParamsSchema = RunKeySchema.extend({
  prompt: z.string().min(1, "prompt is required"),
  inputFiles: z.array(z.string()).optional(),
  /** Absolute, or relative to the workspace; must lie in the workspace or the run's bundle. */
  outputDir: z.string().min(1).optional(),
});
export type TaskDoParams = z.infer<typeof TaskDoParamsSchema>;

export const TaskKeyParamsSchema = RunKeySchema.extend({
  taskId: z.string().regex(TASK_ID_RE, "expected task-NNNN"),
});
export type TaskKeyParams = z.infer<typeof TaskKeyParamsSchema>;

// ---------- massctl agentrun task wait ----------

/** One JSON line on stderr per poll of `massctl agentrun task wait`. */
export interface TaskWaitStatus {
  /** Time since the wait began, e.g. `1m30s`. */
  elapsed: string;
  /** Phase of the AgentRun. */
  agent: string;
  task: "pending" | "done";
  attempt: number;
  reason?: string;
  /** `k/2` when this poll sent retry number k. */
  retry?: string;
  error?: string;
}
