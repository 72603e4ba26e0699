/**
 * `massctl agentrun create`: one line for a person, the run alone with `-o json|yaml`.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { isAbsolute, resolve } from "node:path";
import { type AgentRun, RestartPolicySchema } from "../../../specs/ari.ts";
import { PermissionPolicySchema } from "../../../specs/runtime.ts";
import type { App } from "../app.ts";
import { parseDuration } from "../duration.ts";
import { CliError } from "../errors.ts";
import { waitRunIdle } from "../../client/wait.ts";
import { eventLogSpec } from "./run_spec.ts";
import { addWorktreeFlags, worktreeSpec } from "./worktree.ts";
import { parseIntFlag, printResult, resultOption, timeoutOption, withSpinner } from "./common.ts";

const WS_HELP = "workspace of the agent run";

/** The `agentrun create` command. */
export function createCommand(app: App) {
  return addWorktreeFlags(new Command("create"))
    .description("create an agent run in a workspace")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .requiredOption("--name <name>", "agent run name")
    .requiredOption("--agent <agent>", "agent definition to run")
    .option("--system-prompt <text>", "system prompt sent before the first user prompt")
    .addOption(
      new Option("--permissions <policy>", "permission policy")
        .choices(PermissionPolicySchema.options),
    )
    .option("--workflow <file>", "workflow file (made absolute)")
    .addOption(
      new Option("--restart-policy <policy>", "what to do when the agent exits")
        .choices(RestartPolicySchema.options),
    )
    .option("--turn-timeout <duration>", "bound on one turn (e.g. 10m; default none)")
    .option(
      "--permission-timeout <duration>",
      "with --permissions ask: how long a request waits for an answer (default 5m; 0 = forever)",
    )
    .option("--terminal", "let the agent run commands through ACP terminal/* (off by default)")
    .option(
      "--event-segment-mib <n>",
      "event log segment size in MiB (1-1024; default 64)",
      parseIntFlag("--event-segment-mib"),
    )
    .option(
      "--event-max-segments <n>",
      "event log segments to keep, oldest removed first (0 = all; default: the daemon's)",
      parseIntFlag("--event-max-segments"),
    )
    .option("--wait", "wait until the run is idle")
    .addOption(timeoutOption("10m"))
    .addOption(resultOption())
    .action(async (opts) => {
      const workflowFile = opts.workflow ? await checkWorkflow(app, opts.workflow) : undefined;
      const turnTimeoutSeconds = opts.turnTimeout
        ? Math.ceil(parseDuration(opts.turnTimeout, "--turn-timeout") / 1000)
        : undefined;
      const permissionTimeoutSeconds = opts.permissionTimeout
        ? Math.ceil(parseDuration(opts.permissionTimeout, "--permission-timeout") / 1000)
        : undefined;
      const client = await app.client();
      const key = { workspace: opts.workspace, name: opts.name };
      const created = await client.agentrunCreate({
        metadata: { name: opts.name, workspace: opts.workspace },
        spec: {
          agent: opts.agent,
          ...(opts.systemPrompt !== undefined ? { systemPrompt: opts.systemPrompt } : {}),
          ...(opts.permissions ? { permissions: opts.permissions } : {}),
          ...(workflowFile ? { workflowFile } : {}),
          ...(opts.restartPolicy ? { restartPolicy: opts.restartPolicy } : {}),
          ...(turnTimeoutSeconds !== undefined ? { turnTimeoutSeconds } : {}),
          ...(permissionTimeoutSeconds !== undefined ? { permissionTimeoutSeconds } : {}),
          ...(opts.terminal ? { terminal: true } : {}),
          ...eventLogSpec(opts.eventSegmentMib, opts.eventMaxSegments),
          ...worktreeSpec(opts),
        },
      });
      let run: AgentRun = created;
      if (opts.wait) {
        const label = `agentrun ${key.workspace}/${key.name}`;
        run = await withSpinner(app, `${label}: creating`, (sp) =>
          waitRunIdle(client, key, {
            timeoutMs: parseDuration(opts.timeout, "--timeout"),
            onPhase: (p) => sp.update(`${label}: ${p}`),
          }));
      }
      const phase = run.status?.phase ?? "creating";
      const line = `Agent run "${key.workspace}"/"${key.name}" created (state: ${phase})`;
      await printResult(app, opts.output, line, run);
    });
}

async function checkWorkflow(app: App, file: string): Promise<string> {
  const abs = isAbsolute(file) ? file : resolve(app.deps.cwd(), file);
  try {
    const st = await Deno.stat(abs);
    if (!st.isFile) throw new CliError(`--workflow ${file}: not a regular file`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--workflow ${file}: no such file`);
  }
  return abs;
}
