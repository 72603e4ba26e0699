/**
 * `massctl agentrun (ar) get|create|delete|stop|cancel|restart|prompt|events|chat`.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { isAbsolute, resolve } from "node:path";
import { type AgentRun, RestartPolicySchema, type RunKey } from "../../../specs/ari.ts";
import type { AgentRunEvent } from "../../../specs/events.ts";
import { PermissionPolicySchema } from "../../../specs/runtime.ts";
import type { App } from "../app.ts";
import { stopAndDeleteRun } from "../compose.ts";
import { formatDuration, parseDuration } from "../duration.ts";
import { CliError, ExitCode } from "../errors.ts";
import { formatEventLine } from "../event_format.ts";
import { oldestSeq } from "../../client/oldest_seq.ts";
import { agentRunTable, toYaml } from "../output.ts";
import { followTurn } from "../turn.ts";
import { waitRunIdle } from "../../client/wait.ts";
import { addPermissionCommands } from "./permission.ts";
import { acpCommand } from "../../acp/command.ts";
import { taskCommand } from "./task.ts";
import { eventLogSpec } from "./run_spec.ts";
import { addWorktreeCommands, addWorktreeFlags, worktreeSpec } from "./worktree.ts";
import {
  outputOption,
  parseIntFlag,
  printJson,
  printObjects,
  requireWorkspace,
  timeoutOption,
  withSpinner,
} from "./common.ts";

const WS_HELP = "workspace of the agent run";

/**
 * `massctl agentrun` (alias `ar`): get, create, delete, stop, cancel, restart, prompt, events,
 * chat, and the `task` and `acp` subcommands.
 */
export function agentrunCommand(app: App) {
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
      printObjects(app, items, agentRunTable, opts.output, names.length === 1);
    });

  addWorktreeFlags(ar.command("create"))
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
    .option("--wait", "wait until the run is idle, then print it")
    .addOption(timeoutOption("10m"))
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
      app.line(
        `Agent run "${key.workspace}"/"${key.name}" created (state: ${
          created.status?.phase ?? "creating"
        })`,
      );
      if (!opts.wait) return;
      const label = `agentrun ${key.workspace}/${key.name}`;
      const run = await withSpinner(app, `${label}: creating`, (sp) =>
        waitRunIdle(client, key, {
          timeoutMs: parseDuration(opts.timeout, "--timeout"),
          onPhase: (p) => sp.update(`${label}: ${p}`),
        }));
      printJson(app, run);
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
          if (!existed) throw new CliError(`agent ${key.workspace}/${name} not found`);
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
    .description("restart agent runs; prints each run as returned")
    .argument("<names...>", "agent run names")
    .requiredOption("-w, --workspace <name>", WS_HELP)
    .action(async (names, opts) => {
      const client = await app.client();
      for (const name of names) {
        printJson(app, await client.agentrunRestart({ workspace: opts.workspace, name }));
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

  ar.addCommand(taskCommand(app));
  ar.addCommand(acpCommand(app));
  addPermissionCommands(ar, app);
  addWorktreeCommands(ar, app);
  return ar;
}

function promptBlocks(text: string) {
  return [{ type: "text", text }];
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

/**
 * `prompt --wait`, entirely over ARI: agentrun/prompt (which reserves the run and returns
 * the seq its turn starts after), then agentrun/watch from there.
 */
async function promptAndWait(app: App, key: RunKey, text: string, timeoutMs: number) {
  const client = await app.client();
  // Fallback cursor for a daemon that does not return fromSeq.
  const before = await client.agentrunGet(key);
  const accepted = await client.agentrunPrompt({ ...key, prompt: promptBlocks(text) });
  const fromSeq = accepted.fromSeq ?? before.status?.lastSeq;

  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  let lastChunk = "";
  try {
    const outcome = await followTurn(
      client.watch({ ...key, fromSeq, signal: abort.signal }),
      {
        fromSeq,
        onText: (chunk) => {
          lastChunk = chunk;
          app.out(chunk);
        },
      },
    );
    if (lastChunk && !lastChunk.endsWith("\n")) app.out("\n");
    if (outcome.kind === "ended") {
      if (outcome.stopReason === "end_turn") return;
      throw new CliError(`turn ended: ${outcome.stopReason}`, ExitCode.TurnFailed);
    }
    if (outcome.kind === "error") throw new CliError(outcome.message, ExitCode.TurnFailed);
    if (timedOut) {
      throw new CliError(
        `no answer within ${formatDuration(timeoutMs)}; the turn may still be running ` +
          `(cancel it with: massctl agentrun cancel ${key.name} -w ${key.workspace})`,
        ExitCode.Timeout,
      );
    }
    throw new CliError("event stream ended before the turn finished", ExitCode.TurnFailed);
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

interface EventsOptions {
  /** Absent: from the oldest retained event. */
  fromSeq?: number;
  follow: boolean;
  format: "table" | "json" | "yaml";
}

/** Without the lastSeq hint, a replay is over after this long without an event. */
const REPLAY_IDLE_MS = 1_000;
/** With the hint, a safety net in case the last event never comes. */
const REPLAY_SAFETY_IDLE_MS = 5_000;

async function printEvents(app: App, key: RunKey, opts: EventsOptions) {
  const client = await app.client();
  const run = await client.agentrunGet(key);
  const lastSeq = run.status?.lastSeq;
  const fromSeq = opts.fromSeq ?? await oldestSeq(client, key);
  if (!opts.follow && lastSeq !== undefined && lastSeq < fromSeq) return;

  const abort = new AbortController();
  let idle: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    if (opts.follow) return;
    clearTimeout(idle);
    idle = setTimeout(
      () => abort.abort(),
      lastSeq === undefined ? REPLAY_IDLE_MS : REPLAY_SAFETY_IDLE_MS,
    );
  };
  armIdle();
  try {
    for await (const ev of client.watch({ ...key, fromSeq, signal: abort.signal })) {
      app.out(formatEvent(ev, opts.format));
      if (!opts.follow && lastSeq !== undefined && ev.seq >= lastSeq) break;
      armIdle();
    }
  } finally {
    clearTimeout(idle);
    abort.abort();
  }
}

function formatEvent(ev: AgentRunEvent, format: EventsOptions["format"]): string {
  const { watchId: _w, ...envelope } = ev as AgentRunEvent & { watchId?: string };
  switch (format) {
    case "json":
      return JSON.stringify(envelope) + "\n";
    case "yaml":
      return "---\n" + toYaml(envelope);
    default:
      return formatEventLine(ev) + "\n";
  }
}
