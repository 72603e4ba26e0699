/**
 * ARI `agentrun/task/do|get|list|retry` (specs/tasks.md). Params are validated here (a bad
 * taskId is -32602 before it can become a path); the work is daemon/tasks/task_service.ts.
 */
import { RunKeySchema } from "../../specs/ari.ts";
import { type AgentTask, TaskDoParamsSchema, TaskKeyParamsSchema } from "../../specs/tasks.ts";
import type { AriHandlers } from "../context.ts";
import { TaskService, type TaskServiceDeps } from "../tasks/task_service.ts";
import { parseParams } from "./params.ts";

export type TaskHandlerDeps = TaskServiceDeps;

export function taskHandlers(deps: TaskHandlerDeps): AriHandlers {
  const tasks = new TaskService(deps);
  return {
    /** AgentTask (attempt 1); the run is reserved like agentrun/prompt. */
    "agentrun/task/do": (params): Promise<AgentTask> =>
      tasks.do(parseParams(TaskDoParamsSchema, params)),

    "agentrun/task/get": (params): Promise<AgentTask> =>
      tasks.get(parseParams(TaskKeyParamsSchema, params)),

    /** `{items}`, never null; unreadable task files are skipped (and logged). */
    "agentrun/task/list": (params): Promise<{ items: AgentTask[] }> =>
      tasks.list(parseParams(RunKeySchema, params)),

    /** AgentTask (next attempt, outcome cleared); the run is reserved like agentrun/prompt. */
    "agentrun/task/retry": (params): Promise<AgentTask> =>
      tasks.retry(parseParams(TaskKeyParamsSchema, params)),
  };
}
