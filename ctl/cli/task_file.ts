/**
 * `massctl agentrun task done`: the agent records a task's outcome in its task file. No
 * daemon is involved; the file is replaced atomically (temp file + rename), so agentd and
 * `task wait` never read half a file.
 */
import { writeFileAtomic } from "../../specs/lib/atomic_file.ts";
import { basename } from "node:path";
import {
  type AgentTask,
  completeTask,
  formatTaskFile,
  type JsonObject,
  parseTaskFile,
  TASK_ID_RE,
} from "../../specs/tasks.ts";
import { CliError } from "./errors.ts";

/** Parses `--response`: it must be a JSON object. */
export function parseResponse(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(
      `--response is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CliError(`--response must be a JSON object, e.g. '{"summary": "…"}'`);
  }
  return value as JsonObject;
}

/** Reads and checks a task file: named task-NNNN.json, a valid task, with a matching id. */
export async function readTaskFile(path: string): Promise<AgentTask> {
  const name = basename(path);
  const id = name.endsWith(".json") ? name.slice(0, -".json".length) : "";
  if (!TASK_ID_RE.test(id)) {
    throw new CliError(`${path} is not a task file (expected a file named task-NNNN.json)`);
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new CliError(`task file ${path} not found`);
    throw new CliError(`cannot read task file ${path}: ${errorText(err)}`);
  }
  let task: AgentTask;
  try {
    task = parseTaskFile(text);
  } catch (err) {
    throw new CliError(`${path} is not a task file: ${errorText(err)}`);
  }
  if (task.id !== id) {
    throw new CliError(`${path} is not a task file: it holds task ${task.id}`);
  }
  return task;
}

export interface DoneInput {
  reason: string;
  /** The `--response` text (a JSON object). */
  response: string;
  now: Date;
}

/** Marks the task in `path` done; returns the task as written. */
export async function markTaskDone(path: string, input: DoneInput): Promise<AgentTask> {
  const reason = input.reason.trim();
  if (!reason) throw new CliError("--reason must not be empty");
  const response = parseResponse(input.response);
  const task = await readTaskFile(path);
  const done = completeTask(task, { reason, response, now: input.now });
  await replaceFile(path, formatTaskFile(done));
  return done;
}

async function replaceFile(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text, { mode: 0o644 });
  } catch (err) {
    throw new CliError(`cannot write task file ${path}: ${errorText(err)}`);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
