/**
 * `massctl agentrun task do|get|retry|wait|done` (specs/tasks.md).
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import type { AgentTask } from "../../../specs/tasks.ts";
import type { App } from "../app.ts";
import { parseDuration } from "../duration.ts";
import { CliError } from "../errors.ts";
import { taskTable } from "../output.ts";
import { markTaskDone } from "../task_file.ts";
import { DEFAULT_TASK_RETRIES, waitTask } from "../task_wait.ts";
import { outputOption, printJson, printObjects, timeoutOption } from "./common.ts";

const WS_HELP = "workspace of the agent run";
const RUN_HELP = "agent run the task belongs to";

/** `--input-files a,b --input-files c` → [a, b, c]. */
function collectFiles(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

/** `massctl agentrun task`: do, get, retry, wait and done. */
export function taskCommand(app: App) {
  const task = new Command("task").description("hand tasks to an agent run and follow them");

  task.command("do")
    .description("give the run a task (it must be idle); prints the task")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .requiredOption("--run <name>", RUN_HELP)
    .requiredOption("--prompt <text>", "what the agent should do")
    .option(
      "--input-files <files>",
      "files to work from (repeatable, or comma-separated)",
      collectFiles,
      [] as string[],
    )
    .option(
      "--output-dir <dir>",
      "where the agent puts its output (absolute, or relative to the workspace; " +
        "default <bundle>/tasks/<id>/output)",
    )
    .action(async (opts) => {
      const client = await app.client();
      printJson(
        app,
        await client.agentrunTaskDo({
          workspace: opts.workspace,
          name: opts.run,
          prompt: opts.prompt,
          ...(opts.inputFiles.length > 0 ? { inputFiles: opts.inputFiles } : {}),
          ...(opts.outputDir !== undefined ? { outputDir: opts.outputDir } : {}),
        }),
      );
    });

  task.command("get")
    .description("list the run's tasks, or show the named ones")
    .argument("[ids...]", "task ids (task-NNNN)")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .requiredOption("--run <name>", RUN_HELP)
    .addOption(outputOption())
    .action(async (ids, opts) => {
      const client = await app.client();
      const key = { workspace: opts.workspace, name: opts.run };
      const items: AgentTask[] = ids.length > 0
        ? await Promise.all(ids.map((taskId) => client.agentrunTaskGet({ ...key, taskId })))
        : (await client.agentrunTaskList(key)).items ?? [];
      await printObjects(app, items, taskTable, opts.output, ids.length === 1);
    });

  task.command("retry")
    .description("send a task that is not done again (the run must be idle); prints the task")
    .argument("<id>", "task id (task-NNNN)")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .requiredOption("--run <name>", RUN_HELP)
    .action(async (taskId, opts) => {
      const client = await app.client();
      printJson(
        app,
        await client.agentrunTaskRetry({ workspace: opts.workspace, name: opts.run, taskId }),
      );
    });

  task.command("wait")
    .description(
      `wait until a task is done, retrying it up to ${DEFAULT_TASK_RETRIES} times when the ` +
        "run goes idle without finishing it; status lines (JSON) on stderr, the task on stdout",
    )
    .argument("<id>", "task id (task-NNNN)")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .requiredOption("--run <name>", RUN_HELP)
    .addOption(timeoutOption("15m", "wait for the task"))
    .addOption(
      new Option("--interval <duration>", "time between polls").default("10s").argParser((v) => {
        if (parseDuration(v, "--interval") <= 0) throw new CliError("--interval must be > 0");
        return v;
      }),
    )
    .action(async (taskId, opts) => {
      const result = await waitTask({ workspace: opts.workspace, name: opts.run, taskId }, {
        timeoutMs: parseDuration(opts.timeout, "--timeout"),
        intervalMs: parseDuration(opts.interval, "--interval"),
        connect: () => app.client(),
        disconnect: () => app.close(),
        onStatus: (status) => app.err(JSON.stringify(status) + "\n"),
        now: () => app.deps.now().getTime(),
      });
      if (result.task) {
        printJson(app, result.task);
        return;
      }
      throw new CliError(result.message ?? "task not done", result.code);
    });

  task.command("done")
    .description("record a task's outcome in its file (run by the agent; no daemon needed)")
    .requiredOption("--task-file <file>", "the task file named in the task prompt")
    .requiredOption("--reason <reason>", "outcome in a word, e.g. success, failed, needs_human")
    .requiredOption("--response <json>", "the result, a JSON object")
    .action(async (opts) => {
      const done = await markTaskDone(resolve(app.deps.cwd(), opts.taskFile), {
        reason: opts.reason,
        response: opts.response,
        now: app.deps.now(),
      });
      app.line(`Task ${done.id} marked as done.`);
    });

  return task;
}
