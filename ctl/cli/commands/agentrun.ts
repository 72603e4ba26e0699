/**
 * `massctl agentrun (ar) get|create|delete|stop|cancel|restart|prompt|events|chat`.
 */
import { Command, type CommandUnknownOpts, Option } from "@commander-js/extra-typings";
import type { AgentRun } from "../../../specs/ari.ts";
import type { App } from "../app.ts";
import { stopAndDeleteRun } from "../stop_and_delete.ts";
import { parseDuration } from "../duration.ts";
import { CliError } from "../errors.ts";
import { agentRunTable } from "../output.ts";
import { addPermissionCommands } from "./permission.ts";
import { addWorktreeCommands } from "./worktree.ts";
import {
  outputOption,
  parseIntFlag,
  printObjects,
  printResult,
  promptBlocks,
  requireWorkspace,
  resultOption,
  timeoutOption,
  withSpinner,
} from "./common.ts";

const WS_HELP = "workspace of the agent run";

/**
 * Subcommands in modules of their own, loaded only when named (or for help): `create` needs
 * zod's schemas, `acp` the ACP SDK, `task` its file helpers; `get` needs none of them.
 */
const LAZY: Record<string, (app: App) => Promise<CommandUnknownOpts>> = {
  create: async (app) => (await import("./agentrun_create.ts")).createCommand(app),
  acp: async (app) => (await import("../../acp/command.ts")).acpCommand(app),
  task: async (app) => (await import("./task.ts")).taskCommand(app),
  debug: async (app) => (await import("./debug.ts")).debugCommand(app),
};

/**
 * `massctl agentrun` (alias `ar`): get, create, delete, stop, cancel, restart, prompt, events,
 * chat, and the `task` and `acp` subcommands; `sub` (the subcommand typed, if known) limits
 * what is loaded.
 */
export async function agentrunCommand(app: App, sub?: string) {
  const ar = new Command("agentrun").alias("ar").description("manage agent runs");

  ar.command("get")
    .description("list agent runs, or show the named ones (names need -w)")
    .argument("[names...]", "agent run names")
    .option("-w, --workspace <name>", "only runs in this workspace (required with names)")
    .option("--phase <phase>", "only runs in this phase")
    .addOption(outputOption())
    .action(async (names, opts) => {
      if (names.length > 0) requireWorkspace(opts.workspace, "agentrun get NAME");
      const client = await app.client();
      let items: AgentRun[];
      if (names.length > 0) {
        const workspace = opts.workspace!;
        items = await Promise.all(names.map((name) => client.agentrunGet({ workspace, name })));
      } else {
        const fieldSelector: Record<string, string> = {};
        if (opts.workspace) fieldSelector.workspace = opts.workspace;
        if (opts.phase) fieldSelector.phase = opts.phase;
        items = (await client.agentrunList({ fieldSelector })).items;
      }
      if (names.length > 0 && opts.phase) {
        items = items.filter((r) => r.status?.phase === opts.phase);
      }
      await printObjects(app, items, agentRunTable, opts.output, names.length === 1);
    });

  ar.command("delete")
    .description("delete agent runs (they must be stopped, unless --force)")
    .argument("<names...>", "agent run names")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .option("--force", "stop running runs first; remove a worktree with uncommitted changes")
    .option("--delete-branch", "also delete the run's worktree branch (kept by default)")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (names, opts) => {
      if (opts.force) {
        await app.confirmDestructive(
          `stop and delete ${names.map((n) => `${opts.workspace}/${n}`).join(", ")}`,
          opts.yes,
        );
      }
      const client = await app.client();
      for (const name of names) {
        const key = { workspace: opts.workspace, name };
        if (opts.force) {
          const existed = await withSpinner(
            app,
            `stopping agentrun ${key.workspace}/${name}`,
            () => stopAndDeleteRun(client, key, { force: true, deleteBranch: opts.deleteBranch }),
          );
          if (!existed) throw new CliError(`agent run ${key.workspace}/${name} not found`);
        } else {
          await client.agentrunDelete({ ...key, deleteBranch: opts.deleteBranch });
        }
        app.line(`agentrun ${key.workspace}/${name} deleted`);
      }
    });

  ar.command("stop")
    .description("stop agent runs (waits until each has stopped)")
    .argument("<names...>", "agent run names")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .action(async (names, opts) => {
      const client = await app.client();
      for (const name of names) {
        await withSpinner(
          app,
          `stopping agentrun ${opts.workspace}/${name}`,
          () => client.agentrunStop({ workspace: opts.workspace, name }),
        );
        app.line(`agentrun ${opts.workspace}/${name} stopped`);
      }
    });

  ar.command("cancel")
    .description("cancel the current turn of an agent run")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .action(async (name, opts) => {
      const client = await app.client();
      await client.agentrunCancel({ workspace: opts.workspace, name });
      app.line(`agentrun ${opts.workspace}/${name} cancel requested`);
    });

  ar.command("restart")
    .description("restart agent runs (-o json|yaml: print each run as returned)")
    .argument("<names...>", "agent run names")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .addOption(resultOption())
    .action(async (names, opts) => {
      const client = await app.client();
      for (const name of names) {
        const run = await client.agentrunRestart({ workspace: opts.workspace, name });
        const line = `agentrun ${opts.workspace}/${name} restarted (state: ${
          run.status?.phase ?? "restarting"
        })`;
        await printResult(app, opts.output, line, run);
      }
    });

  ar.command("prompt")
    .description("send a prompt; with --wait, print this turn's answer as it streams")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .requiredOption("--text <text>", "prompt text")
    .option("--wait", "stream the answer and exit when the turn ends")
    .addOption(timeoutOption("10m", "wait for the turn"))
    .action(async (name, opts) => {
      const key = { workspace: opts.workspace, name };
      if (!opts.wait) {
        const client = await app.client();
        const res = await client.agentrunPrompt({ ...key, prompt: promptBlocks(opts.text) });
        app.line(JSON.stringify({ accepted: res.accepted }));
        return;
      }
      const { promptAndWait } = await import("./agentrun_prompt.ts");
      await promptAndWait(app, key, opts.text, parseDuration(opts.timeout, "--timeout"));
    });

  ar.command("events")
    .description("print a run's events (replay up to now; --follow keeps streaming)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .option(
      "--from-seq <n>",
      "start at this seq (default: the oldest event the log still holds)",
      parseIntFlag("--from-seq"),
    )
    .option("-f, --follow", "keep streaming new events")
    .addOption(
      new Option("-o, --output <format>", "output format: table (one line per event), json, yaml")
        .choices(["table", "json", "yaml"] as const)
        .default("table" as const),
    )
    .action(async (name, opts) => {
      const { printEvents } = await import("./agentrun_events.ts");
      await printEvents(app, { workspace: opts.workspace, name }, {
        fromSeq: opts.fromSeq,
        follow: opts.follow === true,
        format: opts.output,
      });
    });

  ar.command("chat")
    .description("interactive chat with an agent run (terminal UI)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .action(async (name, opts) => {
      const { io } = app.deps;
      if (!io.stdinIsTerminal || !io.stdoutIsTerminal) {
        throw new CliError("agentrun chat needs an interactive terminal (stdin and stdout)");
      }
      // Fail here, with the usual messages, if the daemon or the run is not there.
      await (await app.client()).agentrunGet({ workspace: opts.workspace, name });
      // Loaded only here, so other commands never pay for react/ink.
      const { runChat } = await import("../../tui/chat.tsx");
      app.exitCode = await runChat({
        socketPath: app.socketPath,
        workspace: opts.workspace,
        name,
        stderr: (line) => app.err(line + "\n"),
      });
    });

  addPermissionCommands(ar, app);
  addWorktreeCommands(ar, app);
  const wanted = sub && sub in LAZY ? [sub] : sub && isKnown(ar, sub) ? [] : Object.keys(LAZY);
  for (const name of wanted) ar.addCommand(await LAZY[name](app));
  return ar;
}

/** True when `name` is a subcommand (or alias) `cmd` already has. */
function isKnown(cmd: CommandUnknownOpts, name: string): boolean {
  return cmd.commands.some((c) => c.name() === name || c.aliases().includes(name));
}
