/**
 * `massctl workspace (ws) get|create|delete|send`.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import type { Workspace } from "../../../specs/ari.ts";
import type { App } from "../app.ts";
import type { AriClient, WorkspaceInput } from "../../client/ari_client.ts";
import { AriError } from "../../client/errors.ts";
import { stopAndDeleteRun } from "../stop_and_delete.ts";
import { parseDuration } from "../duration.ts";
import { CliError } from "../errors.ts";
import { workspaceTable } from "../output.ts";
import { waitWorkspaceReady } from "../../client/wait.ts";
import {
  outputOption,
  parseIntFlag,
  printObjects,
  printResult,
  type ResultFormat,
  resultOption,
  timeoutOption,
  withSpinner,
} from "./common.ts";

/** `massctl workspace` (alias `ws`): get, create (local, git, empty), delete and send. */
export function workspaceCommand(app: App) {
  const ws = new Command("workspace").alias("ws").description("manage workspaces");

  ws.command("get")
    .description("list workspaces, or show the named ones")
    .argument("[names...]", "workspace names")
    .option("--phase <phase>", "only workspaces in this phase (pending|ready|error|deleting)")
    .addOption(outputOption())
    .action(async (names, opts) => {
      const client = await app.client();
      const items = names.length > 0
        ? await Promise.all(names.map((n) => client.workspaceGet(n)))
        : (await client.workspaceList(
          opts.phase ? { fieldSelector: { phase: opts.phase } } : {},
        )).items;
      await printObjects(app, items, workspaceTable, opts.output, names.length === 1);
    });

  const create = ws.command("create")
    .description("create a workspace: local, git, empty, or from a YAML file (-f)")
    // Options after `local|git|empty` belong to that subcommand, not to `create`.
    .enablePositionalOptions()
    .option("-f, --file <file>", "YAML Workspace object ('-' for stdin)")
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .addOption(resultOption())
    .action(async (opts) => {
      if (!opts.file) throw new CliError("workspace create: use local|git|empty, or -f FILE");
      const { readWorkspaceFile } = await import("../workspace_file.ts");
      await createWorkspace(app, await readWorkspaceFile(opts.file, app.deps.cwd()), opts);
    });

  create.command("local")
    .description("use an existing directory as the workspace")
    .requiredOption("--name <name>", "workspace name")
    .requiredOption("--path <path>", "directory (relative paths are made absolute)")
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .addOption(resultOption())
    .action(async (opts, cmd) => {
      await createWorkspace(app, {
        metadata: { name: opts.name },
        spec: { source: { type: "local", path: resolve(app.deps.cwd(), opts.path) } },
      }, { ...opts, ...parentOpts(cmd, opts) });
    });

  create.command("git")
    .description("clone a git repository into a managed workspace")
    .requiredOption("--name <name>", "workspace name")
    .requiredOption("--url <url>", "repository URL")
    .option("--ref <ref>", "branch, tag or 40-hex commit")
    .option("--depth <n>", "shallow clone depth (0 = full)", parseIntFlag("--depth"))
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .addOption(resultOption())
    .action(async (opts, cmd) => {
      await createWorkspace(app, {
        metadata: { name: opts.name },
        spec: {
          source: {
            type: "git",
            url: opts.url,
            ...(opts.ref ? { ref: opts.ref } : {}),
            ...(opts.depth !== undefined ? { depth: opts.depth } : {}),
          },
        },
      }, { ...opts, ...parentOpts(cmd, opts) });
    });

  create.command("empty")
    .description("create an empty managed directory")
    .requiredOption("--name <name>", "workspace name")
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .addOption(resultOption())
    .action(async (opts, cmd) => {
      await createWorkspace(app, {
        metadata: { name: opts.name },
        spec: { source: { type: "emptyDir" } },
      }, { ...opts, ...parentOpts(cmd, opts) });
    });

  ws.command("delete")
    .description("delete workspaces (--force stops and deletes their agent runs first)")
    .argument("<names...>", "workspace names")
    .option("--force", "stop and delete every agent run in the workspace first")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (names, opts) => {
      if (opts.force) {
        await app.confirmDestructive(
          `stop and delete all agent runs in ${names.map((n) => `"${n}"`).join(", ")}`,
          opts.yes,
        );
      }
      const client = await app.client();
      for (const name of names) {
        if (opts.force) await deleteRunsIn(app, client, name);
        await client.workspaceDelete(name).catch((err) => blockedDelete(client, name, err));
        app.line(`workspace "${name}" deleted`);
      }
    });

  ws.command("send")
    .description("send a message from one agent run to another in the workspace")
    .option("-w, --workspace <name>", "workspace")
    .addOption(new Option("--name <name>", "workspace (alias of -w)").hideHelp())
    .requiredOption("--from <run>", "sending agent run (must be a member of the workspace)")
    .requiredOption("--to <run>", "receiving agent run")
    .requiredOption("--text <text>", "message text")
    .option("--needs-reply", "ask the receiver to reply")
    .action(async (opts) => {
      const workspace = opts.workspace ?? opts.name;
      if (!workspace) throw new CliError("workspace send: --workspace (-w) is required");
      const client = await app.client();
      const res = await client.workspaceSend({
        workspace,
        from: opts.from,
        to: opts.to,
        message: [{ type: "text", text: opts.text }],
        ...(opts.needsReply ? { needsReply: true } : {}),
      });
      app.line(`Message delivered: ${res.delivered}${res.queued ? " (queued: target busy)" : ""}`);
    });

  return ws;
}

/** `ws create --wait -o json local …`: the flags may sit on the parent command. */
function parentOpts(
  cmd: { parent: { opts(): Record<string, unknown> } | null },
  own: { wait?: boolean; output: ResultFormat },
): { wait: boolean; output: ResultFormat } {
  const parent = cmd.parent?.opts() ?? {};
  const output = own.output !== "text" ? own.output : (parent.output as ResultFormat | undefined);
  return { wait: own.wait === true || parent.wait === true, output: output ?? "text" };
}

async function createWorkspace(
  app: App,
  input: WorkspaceInput,
  opts: { wait?: boolean; timeout: string; output: ResultFormat },
): Promise<void> {
  const client = await app.client();
  const created = await client.workspaceCreate(input);
  const name = created.metadata?.name ?? input.metadata.name;
  let result: Workspace = created;
  if (opts.wait) {
    result = await withSpinner(
      app,
      `workspace "${name}": preparing`,
      (sp) =>
        waitWorkspaceReady(client, name, {
          timeoutMs: parseDuration(opts.timeout, "--timeout"),
          onPhase: (p) => sp.update(`workspace "${name}": ${p}`),
        }),
    );
  }
  const phase = result.status?.phase ?? "pending";
  await printResult(app, opts.output, `Workspace "${name}" created (phase: ${phase})`, result);
}

/** A refused delete names the runs that block it and the way past them. */
async function blockedDelete(client: AriClient, workspace: string, err: unknown): Promise<never> {
  if (!(err instanceof AriError) || err.kind !== "conflict") throw err;
  const runs = (await client.agentrunList({ fieldSelector: { workspace } }).catch(() => undefined))
    ?.items.filter((r) => r.metadata.workspace === workspace).map((r) => r.metadata.name);
  if (!runs?.length) throw err;
  throw new CliError(
    `workspace ${workspace} still has agent runs ${runs.join(", ")}: delete them first, or ` +
      `stop and delete them with: massctl workspace delete ${workspace} --force`,
  );
}

async function deleteRunsIn(app: App, client: AriClient, workspace: string): Promise<void> {
  const runs = (await client.agentrunList({ fieldSelector: { workspace } })).items
    .filter((r) => r.metadata.workspace === workspace);
  for (const run of runs) {
    const key = { workspace, name: run.metadata.name };
    await withSpinner(
      app,
      `stopping agentrun ${workspace}/${key.name}`,
      () => stopAndDeleteRun(client, key),
    );
    app.line(`agentrun ${workspace}/${key.name} deleted`);
  }
}
