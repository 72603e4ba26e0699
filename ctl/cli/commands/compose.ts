/**
 * `massctl compose apply|delete|run`: a workspace and its agent runs from one file, or one
 * agent in the current directory.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { isAbsolute, resolve } from "node:path";
import { RestartPolicySchema } from "../../../specs/ari.ts";
import { PermissionPolicySchema } from "../../../specs/runtime.ts";
import type { App } from "../app.ts";
import { composeApply, composeDelete, type ComposeIO, loadCompose } from "../compose.ts";
import { composeRun } from "../compose_run.ts";
import { parseDuration } from "../duration.ts";
import { timeoutOption } from "./common.ts";

function composeIO(app: App, timeout: string): ComposeIO {
  return {
    line: (text = "") => app.line(text),
    spinner: (text) => app.spinner(text),
    waitTimeoutMs: parseDuration(timeout, "--timeout"),
  };
}

/** `massctl compose`: apply, delete and run a workspace-compose file. */
export function composeCommand(app: App) {
  const compose = new Command("compose").description(
    "bring up a workspace and its agent runs from a compose file",
  );

  compose.command("apply")
    .description("create the workspace and start every run in the file (what exists is kept)")
    .requiredOption("-f, --file <file>", "compose file (kind: workspace-compose)")
    .option("--workspace <name>", "override metadata.name")
    .addOption(timeoutOption("10m", "wait for each step"))
    .action(async (opts) => {
      const plan = await loadCompose(opts.file, { workspace: opts.workspace });
      const client = await app.client();
      await composeApply(client, plan, composeIO(app, opts.timeout));
    });

  compose.command("delete")
    .description("stop and delete the runs the file names, then the workspace")
    .requiredOption("-f, --file <file>", "compose file (kind: workspace-compose)")
    .option("--workspace <name>", "override metadata.name")
    .action(async (opts) => {
      const plan = await loadCompose(opts.file, { workspace: opts.workspace });
      const client = await app.client();
      await composeDelete(client, plan, composeIO(app, "10m"));
    });

  compose.command("run")
    .description("run one agent with the current directory as a local workspace")
    .requiredOption(
      "-w, --workspace <name>",
      "workspace (created from the cwd, or reused if it is the cwd's)",
    )
    .requiredOption("--agent <agent>", "agent definition to run")
    .option("--name <name>", "agent run name (default: the agent name)")
    .option("--system-prompt <text>", "system prompt")
    .option("--workflow <file>", "workflow file (made absolute)")
    .addOption(
      new Option("--permissions <policy>", "permission policy")
        .choices(PermissionPolicySchema.options),
    )
    .addOption(
      new Option("--restart-policy <policy>", "what to do when the agent exits")
        .choices(RestartPolicySchema.options),
    )
    .option("--no-wait", "return once the run is created")
    .option("--reuse", "use the workspace even when it points at another directory")
    .addOption(timeoutOption("10m", "wait for each step"))
    .action(async (opts) => {
      const cwd = app.deps.cwd();
      const client = await app.client();
      await composeRun(client, {
        workspace: opts.workspace,
        agent: opts.agent,
        name: opts.name,
        systemPrompt: opts.systemPrompt,
        workflowFile: opts.workflow
          ? (isAbsolute(opts.workflow) ? opts.workflow : resolve(cwd, opts.workflow))
          : undefined,
        permissions: opts.permissions,
        restartPolicy: opts.restartPolicy,
        dir: cwd,
        wait: opts.wait,
        reuse: opts.reuse === true,
      }, composeIO(app, opts.timeout));
    });

  return compose;
}
