/**
 * `massctl workspace (ws) get|create|delete|send`.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { ObjectMetaSchema, type Workspace, WorkspaceSpecSchema } from "../../../specs/ari.ts";
import { ComposeSourceSchema } from "../../../specs/compose.ts";
import type { App } from "../app.ts";
import type { AriClient, WorkspaceInput } from "../../client/ari_client.ts";
import { normalizeSource, stopAndDeleteRun } from "../compose.ts";
import { parseDuration } from "../duration.ts";
import { CliError } from "../errors.ts";
import { workspaceTable } from "../output.ts";
import { waitWorkspaceReady } from "../../client/wait.ts";
import { parseYamlWith, readInputFile } from "../yaml_file.ts";
import {
  outputOption,
  parseIntFlag,
  printJson,
  printObjects,
  timeoutOption,
  withSpinner,
} from "./common.ts";

/** `ws create -f`: the shape `ws get -o yaml` prints; `empty` and relative paths allowed. */
const WorkspaceFileSchema = z.object({
  kind: z.literal("Workspace").optional(),
  metadata: ObjectMetaSchema,
  spec: WorkspaceSpecSchema.extend({ source: ComposeSourceSchema }),
});

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
      printObjects(app, items, workspaceTable, opts.output, names.length === 1);
    });

  const create = ws.command("create")
    .description("create a workspace: local, git, empty, or from a YAML file (-f)")
    // Options after `local|git|empty` belong to that subcommand, not to `create`.
    .enablePositionalOptions()
    .option("-f, --file <file>", "YAML Workspace object ('-' for stdin)")
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .action(async (opts) => {
      if (!opts.file) throw new CliError("workspace create: use local|git|empty, or -f FILE");
      const text = await readInputFile(opts.file);
      const file = opts.file === "-" ? "stdin" : opts.file;
      const parsed = parseYamlWith(WorkspaceFileSchema, text, file);
      const baseDir = opts.file === "-" ? app.deps.cwd() : dirname(resolve(opts.file));
      await createWorkspace(app, {
        metadata: parsed.metadata,
        spec: { ...parsed.spec, source: normalizeSource(parsed.spec.source, baseDir) },
      }, opts);
    });

  create.command("local")
    .description("use an existing directory as the workspace")
    .requiredOption("--name <name>", "workspace name")
    .requiredOption("--path <path>", "directory (relative paths are made absolute)")
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .action(async (opts, cmd) => {
      await createWorkspace(app, {
        metadata: { name: opts.name },
        spec: { source: { type: "local", path: resolve(app.deps.cwd(), opts.path) } },
      }, { ...opts, wait: opts.wait || parentWait(cmd) });
    });

  create.command("git")
    .description("clone a git repository into a managed workspace")
    .requiredOption("--name <name>", "workspace name")
    .requiredOption("--url <url>", "repository URL")
    .option("--ref <ref>", "branch, tag or 40-hex commit")
    .option("--depth <n>", "shallow clone depth (0 = full)", parseIntFlag("--depth"))
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
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
      }, { ...opts, wait: opts.wait || parentWait(cmd) });
    });

  create.command("empty")
    .description("create an empty managed directory")
    .requiredOption("--name <name>", "workspace name")
    .option("--wait", "wait until the workspace is ready")
    .addOption(timeoutOption("10m"))
    .action(async (opts, cmd) => {
      await createWorkspace(app, {
        metadata: { name: opts.name },
        spec: { source: { type: "emptyDir" } },
      }, { ...opts, wait: opts.wait || parentWait(cmd) });
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
        await client.workspaceDelete(name);
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

/** `ws create --wait local …`: the flag may sit on the parent command. */
function parentWait(cmd: { parent: { opts(): Record<string, unknown> } | null }): boolean {
  return cmd.parent?.opts().wait === true;
}

async function createWorkspace(
  app: App,
  input: WorkspaceInput,
  opts: { wait?: boolean; timeout: string },
): Promise<void> {
  const client = await app.client();
  const created = await client.workspaceCreate(input);
  const name = created.metadata?.name ?? input.metadata.name;
  app.line(`Workspace "${name}" created (phase: ${created.status?.phase ?? "pending"})`);
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
  printJson(app, result);
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
