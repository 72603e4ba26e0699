/**
 * `massctl agentrun task wait`: polls a task and its run until the task is done, the run
 * fails, or time is up; retries the task (at most `maxRetries` times) when the run went idle
 * without finishing it. Each poll is reported as one status object (JSONL on stderr).
 *
 * Exit codes: 0 done, 1 not done after the retries (or a permanent error), 2 the run is
 * stopped or in error, 3 timeout.
 */
import type { AriClient } from "../client/ari_client.ts";
import type { AgentRun } from "../../specs/ari.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import type { AgentTask, TaskKeyParams, TaskWaitStatus } from "../../specs/tasks.ts";
import { formatDuration } from "./duration.ts";
import { ExitCode } from "./errors.ts";

/** The ARI calls the wait makes. */
export type TaskWaitClient = Pick<
  AriClient,
  "agentrunGet" | "agentrunTaskGet" | "agentrunTaskRetry"
>;

export interface TaskWaitOptions {
  timeoutMs: number;
  intervalMs: number;
  /** Automatic retries when the run is idle and the task not done (default 2). */
  maxRetries?: number;
  /** The client; called before every poll (it may reconnect). */
  connect(): Promise<TaskWaitClient>;
  /** Drops the connection after a transport failure, so the next poll reconnects. */
  disconnect(): Promise<void>;
  onStatus(status: TaskWaitStatus): void;
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TaskWaitResult {
  code: number;
  task?: AgentTask;
  /** Why it did not end with the task done. */
  message?: string;
}

export const DEFAULT_TASK_RETRIES = 2;
/** Exit code when the run is stopped or in error. */
export const RUN_ENDED_EXIT = 2;

/** Bad params or an unknown run/task: polling again cannot help. */
function permanent(err: unknown): boolean {
  return errorCode(err) === ErrorCode.InvalidParams;
}

/** Whole seconds, like the original's status lines: `0s`, `45s`, `1m30s`. */
export function formatElapsed(ms: number): string {
  const whole = Math.floor(Math.max(0, ms) / 1000) * 1000;
  return whole === 0 ? "0s" : formatDuration(whole);
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

/**
 * Polls the task and its run until the task is done, the run fails or time is up, retrying
 * the task when the run went idle without finishing it (see the module comment).
 */
export async function waitTask(key: TaskKeyParams, opts: TaskWaitOptions): Promise<TaskWaitResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = opts.maxRetries ?? DEFAULT_TASK_RETRIES;
  const runKey = { workspace: key.workspace, name: key.name };
  const what = `task ${key.taskId} of ${key.workspace}/${key.name}`;
  const started = now();
  let retries = 0;
  let last: { agent: string; attempt: number } = { agent: "unknown", attempt: 0 };

  while (true) {
    const elapsedMs = now() - started;
    const elapsed = formatElapsed(elapsedMs);
    const timedOut = elapsedMs >= opts.timeoutMs;
    const timeout = (): TaskWaitResult => ({
      code: ExitCode.Timeout,
      message: `${what} not done within ${formatDuration(opts.timeoutMs)}`,
    });

    let client: TaskWaitClient;
    let run: AgentRun;
    let task: AgentTask;
    try {
      client = await opts.connect();
      [run, task] = await Promise.all([client.agentrunGet(runKey), client.agentrunTaskGet(key)]);
    } catch (err) {
      if (permanent(err)) return { code: ExitCode.Failure, message: describe(err) };
      opts.onStatus({ elapsed, ...last, task: "pending", error: describe(err) });
      await opts.disconnect();
      if (timedOut) return timeout();
      await sleep(Math.min(opts.intervalMs, opts.timeoutMs - elapsedMs));
      continue;
    }

    const phase = run.status?.phase ?? "unknown";
    last = { agent: phase, attempt: task.attempt };
    const status: TaskWaitStatus = {
      elapsed,
      agent: phase,
      task: task.done ? "done" : "pending",
      attempt: task.attempt,
      ...(task.reason ? { reason: task.reason } : {}),
    };
    if (task.done) {
      opts.onStatus(status);
      return { code: ExitCode.Ok, task };
    }
    if (phase === "error" || phase === "stopped") {
      const why = run.status.errorMessage ? `: ${run.status.errorMessage}` : "";
      const message = `agent run ${key.workspace}/${key.name} is ${phase}${why}`;
      opts.onStatus({ ...status, error: message });
      return { code: RUN_ENDED_EXIT, message };
    }
    if (timedOut) {
      opts.onStatus(status);
      return timeout();
    }
    if (phase === "idle") {
      if (retries >= maxRetries) {
        const message = `${what} is not done after ${retries} ${
          retries === 1 ? "retry" : "retries"
        } (the agent is idle)`;
        opts.onStatus({ ...status, error: message });
        return { code: ExitCode.Failure, message };
      }
      try {
        const retried = await client.agentrunTaskRetry(key);
        retries++;
        last.attempt = retried.attempt;
        opts.onStatus({ ...status, attempt: retried.attempt, retry: `${retries}/${maxRetries}` });
      } catch (err) {
        if (permanent(err)) return { code: ExitCode.Failure, message: describe(err) };
        // Busy again (a message or prompt got there first) or recovering: poll again.
        opts.onStatus({ ...status, error: describe(err) });
      }
    } else {
      opts.onStatus(status);
    }
    await sleep(Math.min(opts.intervalMs, opts.timeoutMs - elapsedMs));
  }
}
