/**
 * ARI `agentrun/task/do|get|list|retry` (specs/tasks.md). Params are validated here (a bad
 * taskId is -32602 before it can become a path); the work is daemon/tasks/task_service.ts.
 */
import type { AgentTask } from "../../specs/tasks.ts";
import type { AriHandlers } from "../context.ts";
import { TaskService, type TaskServiceDeps } from "../tasks/task_service.ts";
import { methodParams } from "./params.ts";

export type TaskHandlerDeps = TaskServiceDeps;

/** ARI `agentrun/task/*` handlers over a TaskService. */
export function taskHandlers(deps: TaskHandlerDeps): AriHandlers {
  const tasks = new TaskService(deps);
  return {
    /** AgentTask (attempt 1); the run is reserved like agentrun/prompt. */
    "agentrun/task/do": (params): Promise<AgentTask> =>
      tasks.do(methodParams("agentrun/task/do", params)),

    "agentrun/task/get": (params): Promise<AgentTask> =>
      tasks.get(methodParams("agentrun/task/get", params)),

    /** `{items}`, never null; unreadable task files are skipped (and logged). */
    "agentrun/task/list": (params): Promise<{ items: AgentTask[] }> =>
      tasks.list(methodParams("agentrun/task/list", params)),

    /** AgentTask (next attempt, outcome cleared); the run is reserved like agentrun/prompt. */
    "agentrun/task/retry": (params): Promise<AgentTask> =>
      tasks.retry(methodParams("agentrun/task/retry", params)),
  };
}
