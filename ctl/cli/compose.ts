/**
 * Compose: bring up one workspace and its agent-runs from a `workspace-compose` file
 * (`compose apply`), tear them down (`compose delete`), or start one agent in the current
 * directory (`compose run`).
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { AgentRun, RunKey, Workspace, WorkspaceSource } from "../../specs/ari.ts";
import { type ComposeFile, ComposeFileSchema, type ComposeSource } from "../../specs/compose.ts";
import type { AgentRunInput, AriClient } from "../client/ari_client.ts";
import { CliError, isNotFound } from "./errors.ts";
import type { Spinner } from "./spinner.ts";
import {
  isTerminalPhase,
  waitRunIdle,
  waitRunTerminal,
  waitWorkspaceReady,
} from "../client/wait.ts";
import { parseYamlWith } from "./yaml_file.ts";

/** A compose file after validation, with paths made absolute. */
export interface ComposePlan {
  workspace: string;
  source: WorkspaceSource;
  labels?: Record<string, string>;
  runs: AgentRunInput[];
}

/** Turns the CLI's source spelling into the daemon's (`empty` → `emptyDir`, absolute paths). */
export function normalizeSource(source: ComposeSource, baseDir: string): WorkspaceSource {
  switch (source.type) {
    case "empty":
    case "emptyDir":
      return { type: "emptyDir" };
    case "local":
      return { type: "local", path: absolutize(source.path, baseDir) };
    case "git":
      return source;
  }
}

function absolutize(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Validates compose text (errors name field and line) and builds the plan. */
export function parseCompose(
  text: string,
  file: string,
  opts: { workspace?: string; baseDir?: string } = {},
): ComposePlan {
  const parsed: ComposeFile = parseYamlWith(ComposeFileSchema, text, file);
  const baseDir = opts.baseDir ?? dirname(resolve(file));
  const workspace = opts.workspace || parsed.metadata.name;
  return {
    workspace,
    source: normalizeSource(parsed.spec.source, baseDir),
    labels: parsed.metadata.labels,
    runs: parsed.spec.runs.map((r) => ({
      metadata: { name: r.name, workspace },
      spec: {
        agent: r.agent,
        systemPrompt: r.systemPrompt,
        permissions: r.permissions,
        mcpServers: r.mcpServers,
        workflowFile: r.workflowFile ? absolutize(r.workflowFile, baseDir) : undefined,
        restartPolicy: r.restartPolicy,
        turnTimeoutSeconds: r.turnTimeoutSeconds,
        terminal: r.terminal,
        eventLog: r.eventLog,
        worktree: typeof r.worktree === "boolean"
          ? (r.worktree ? { enabled: true } : undefined)
          : r.worktree,
      },
    })),
  };
}

export interface ComposeIO {
  line(text?: string): void;
  spinner(text: string): Spinner;
  waitTimeoutMs?: number;
}

function socketInfo(runs: readonly AgentRun[]): string[] {
  return runs.map((r) =>
    `  ${r.metadata.workspace}/${r.metadata.name}: ${r.status?.socketPath ?? "<none>"}`
  );
}

/** Creates the workspace (it must not exist), waits for it, then starts each run in turn. */
export async function composeApply(
  client: AriClient,
  plan: ComposePlan,
  io: ComposeIO,
): Promise<AgentRun[]> {
  const name = plan.workspace;
  await client.workspaceCreate({
    metadata: { name, ...(plan.labels ? { labels: plan.labels } : {}) },
    spec: { source: plan.source },
  });
  io.line(`Workspace "${name}" created`);
  await withSpinner(io, `workspace "${name}": preparing`, (sp) =>
    waitWorkspaceReady(client, name, {
      timeoutMs: io.waitTimeoutMs,
      onPhase: (p) => sp.update(`workspace "${name}": ${p}`),
    }));
  io.line(`Workspace "${name}" is ready`);
  const ready: AgentRun[] = [];
  for (const run of plan.runs) {
    const key = { workspace: name, name: run.metadata.name };
    await client.agentrunCreate(run);
    io.line(`Agent run "${key.workspace}"/"${key.name}" created`);
    ready.push(await waitIdle(client, key, io));
  }
  io.line();
  io.line("All agents are ready. Socket info:");
  for (const l of socketInfo(ready)) io.line(l);
  return ready;
}

/** Stops and deletes the runs the file names, then deletes the workspace. Missing = fine. */
export async function composeDelete(
  client: AriClient,
  plan: ComposePlan,
  io: ComposeIO,
): Promise<void> {
  for (const run of plan.runs) {
    const key = { workspace: plan.workspace, name: run.metadata.name };
    if (await stopAndDeleteRun(client, key)) {
      io.line(`agentrun ${key.workspace}/${key.name} deleted`);
    }
  }
  try {
    await client.workspaceDelete(plan.workspace);
    io.line(`workspace "${plan.workspace}" deleted`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Stops a run unless already stopped, waits, and deletes it; false when it did not exist. */
export async function stopAndDeleteRun(
  client: AriClient,
  key: RunKey,
  worktree: { force?: boolean; deleteBranch?: boolean } = {},
): Promise<boolean> {
  let run: AgentRun;
  try {
    run = await client.agentrunGet(key);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  if (!isTerminalPhase(run.status?.phase)) {
    await client.agentrunStop(key);
    await waitRunTerminal(client, key);
  }
  await client.agentrunDelete({ ...key, ...worktree });
  return true;
}

export interface ComposeRunOptions {
  workspace: string;
  agent: string;
  name?: string;
  systemPrompt?: string;
  workflowFile?: string;
  permissions?: AgentRunInput["spec"]["permissions"];
  restartPolicy?: AgentRunInput["spec"]["restartPolicy"];
  /** Directory used as a local workspace (normally the cwd). */
  dir: string;
  wait: boolean;
}

/** Uses (or creates) a local workspace for `dir` and starts one agent in it. */
export async function composeRun(
  client: AriClient,
  opts: ComposeRunOptions,
  io: ComposeIO,
): Promise<AgentRun> {
  const ws = opts.workspace;
  let existing: Workspace | undefined;
  try {
    existing = await client.workspaceGet(ws);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!existing) {
    await client.workspaceCreate({
      metadata: { name: ws },
      spec: { source: { type: "local", path: opts.dir } },
    });
    io.line(`Workspace "${ws}" created (local: ${opts.dir})`);
  }
  if (existing?.status?.phase !== "ready") {
    await withSpinner(io, `workspace "${ws}": preparing`, (sp) =>
      waitWorkspaceReady(client, ws, {
        timeoutMs: io.waitTimeoutMs,
        onPhase: (p) => sp.update(`workspace "${ws}": ${p}`),
      }));
  }
  const key = { workspace: ws, name: opts.name || opts.agent };
  const created = await client.agentrunCreate({
    metadata: { name: key.name, workspace: ws },
    spec: {
      agent: opts.agent,
      systemPrompt: opts.systemPrompt,
      workflowFile: opts.workflowFile,
      permissions: opts.permissions,
      restartPolicy: opts.restartPolicy,
    },
  });
  io.line(
    `Agent run "${ws}"/"${key.name}" created (state: ${created.status?.phase ?? "creating"})`,
  );
  if (!opts.wait) return created;
  const run = await waitIdle(client, key, io);
  io.line();
  io.line("Agent is ready. Socket info:");
  for (const l of socketInfo([run])) io.line(l);
  return run;
}

function waitIdle(client: AriClient, key: RunKey, io: ComposeIO): Promise<AgentRun> {
  const label = `agentrun ${key.workspace}/${key.name}`;
  return withSpinner(io, `${label}: creating`, (sp) =>
    waitRunIdle(client, key, {
      timeoutMs: io.waitTimeoutMs,
      onPhase: (p) => sp.update(`${label}: ${p}`),
    }));
}

async function withSpinner<T>(
  io: ComposeIO,
  text: string,
  fn: (sp: Spinner) => Promise<T>,
): Promise<T> {
  const sp = io.spinner(text);
  try {
    return await fn(sp);
  } finally {
    sp.stop();
  }
}

/** Reads, validates and plans a compose file from disk. */
export async function loadCompose(
  file: string,
  opts: { workspace?: string } = {},
): Promise<ComposePlan> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new CliError(`${file}: no such file`);
    throw new CliError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseCompose(text, file, opts);
}
