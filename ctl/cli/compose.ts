/**
 * Compose: bring up one workspace and its agent-runs from a `workspace-compose` file
 * (`compose apply`), tear them down (`compose delete`), or start one agent in the current
 * directory (`compose run`).
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { AgentRun, RunKey, WorkspaceSource } from "../../specs/ari.ts";
import { type ComposeFile, ComposeFileSchema, type ComposeSource } from "../../specs/compose.ts";
import type { AgentRunInput, AriClient } from "../client/ari_client.ts";
import { CliError, isNotFound } from "./errors.ts";
import type { Spinner } from "./spinner.ts";
import { isTerminalPhase, waitRunIdle, waitWorkspaceReady } from "../client/wait.ts";
import { parseYamlWith } from "./yaml_file.ts";
import { stopAndDeleteRun } from "./stop_and_delete.ts";

export { stopAndDeleteRun };

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

/** `  ws/name: <socket>` lines. */
export function socketInfo(runs: readonly AgentRun[]): string[] {
  return runs.map((r) =>
    `  ${r.metadata.workspace}/${r.metadata.name}: ${r.status?.socketPath ?? "<none>"}`
  );
}

/**
 * Creates the workspace, waits for it, then starts each run in turn. Idempotent: what already
 * exists as the file says is kept (a workspace with another source is refused).
 */
export async function composeApply(
  client: AriClient,
  plan: ComposePlan,
  io: ComposeIO,
): Promise<AgentRun[]> {
  const name = plan.workspace;
  const existing = await getOrUndefined(() => client.workspaceGet(name));
  if (existing) {
    const want = await realSource(plan.source);
    const problem = sourceMismatch(existing.spec.source, want);
    if (problem) {
      throw new CliError(
        `workspace "${name}" already exists with ${problem}: delete it first ` +
          `(massctl compose delete -f FILE) or pick another name (--workspace)`,
      );
    }
    io.line(`Workspace "${name}" exists`);
  } else {
    await client.workspaceCreate({
      metadata: { name, ...(plan.labels ? { labels: plan.labels } : {}) },
      spec: { source: plan.source },
    });
    io.line(`Workspace "${name}" created`);
  }
  await withSpinner(io, `workspace "${name}": preparing`, (sp) =>
    waitWorkspaceReady(client, name, {
      timeoutMs: io.waitTimeoutMs,
      onPhase: (p) => sp.update(`workspace "${name}": ${p}`),
    }));
  io.line(`Workspace "${name}" is ready`);
  const ready: AgentRun[] = [];
  for (const run of plan.runs) {
    const key = { workspace: name, name: run.metadata.name };
    const had = await getOrUndefined(() => client.agentrunGet(key));
    if (had && isTerminalPhase(had.status?.phase)) {
      io.line(`Agent run "${key.workspace}"/"${key.name}" exists (${had.status?.phase})`);
      ready.push(had);
      continue;
    }
    if (had) io.line(`Agent run "${key.workspace}"/"${key.name}" exists`);
    else {
      await client.agentrunCreate(run);
      io.line(`Agent run "${key.workspace}"/"${key.name}" created`);
    }
    ready.push(await waitIdle(client, key, io));
  }
  io.line();
  io.line("All agents are ready. Socket info:");
  for (const l of socketInfo(ready)) io.line(l);
  return ready;
}

/** `get()`'s value, or undefined when the daemon says not found. */
export async function getOrUndefined<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** A local source by its real path, as the daemon stores it. */
async function realSource(source: WorkspaceSource): Promise<WorkspaceSource> {
  if (source.type !== "local") return source;
  return { type: "local", path: await Deno.realPath(source.path).catch(() => source.path) };
}

/** Why `have` is not the source the file asks for (`want`), or undefined when it is. */
export function sourceMismatch(have: WorkspaceSource, want: WorkspaceSource): string | undefined {
  const describe = (s: WorkspaceSource) =>
    s.type === "local" ? `local ${s.path}` : s.type === "git" ? `git ${s.url}` : s.type;
  if (have.type !== want.type) return `source ${describe(have)}`;
  if (have.type === "local" && want.type === "local" && have.path !== want.path) {
    return `source ${describe(have)}`;
  }
  if (have.type === "git" && want.type === "git" && have.url !== want.url) {
    return `source ${describe(have)}`;
  }
  return undefined;
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

/** Waits (with a spinner) until the run is idle. */
export function waitIdle(client: AriClient, key: RunKey, io: ComposeIO): Promise<AgentRun> {
  const label = `agentrun ${key.workspace}/${key.name}`;
  return withSpinner(io, `${label}: creating`, (sp) =>
    waitRunIdle(client, key, {
      timeoutMs: io.waitTimeoutMs,
      onPhase: (p) => sp.update(`${label}: ${p}`),
    }));
}

/** Runs `fn` under the compose spinner. */
export async function withSpinner<T>(
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
