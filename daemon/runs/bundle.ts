/**
 * The bundle directory of an AgentRun: `<root>/runs/<ws>/<name>/`, holding config.json
 * (written here), the `workspace` symlink, and what the agent-run writes itself (state.json,
 * agent-run.sock, agent-run.log, events/).
 */
import { writeFileAtomic } from "../../specs/lib/atomic_file.ts";
import { join } from "node:path";
import type { Agent, AgentRun, EnvVarSpec, Workspace } from "../../specs/ari.ts";
import { resolveEnvVars } from "../resolve_env.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import { assertName, socketPathProblem } from "../../specs/names.ts";
import {
  BundleFiles,
  MASS_VERSION,
  type McpServer,
  type RuntimeConfig,
  RuntimeConfigSchema,
  type RuntimeState,
} from "../../specs/runtime.ts";
import type { RuntimeSandbox } from "../../specs/sandbox.ts";
import { readConfigFile } from "../../specs/eventlog/config.ts";
import { readStateFile } from "../../specs/eventlog/state.ts";
import { composeSystemPrompt } from "./system_prompt.ts";

export interface BundlePaths {
  dir: string;
  config: string;
  state: string;
  socket: string;
  log: string;
  events: string;
  workspaceLink: string;
  workflow: string;
  /** agentd's mesh endpoint for the run (`mesh/mesh.sock`). */
  meshSocket: string;
}

/**
 * Paths of a run's bundle. Names are validated first (they become path parts) and the
 * socket path is checked against the sun_path limit; both fail with -32602.
 */
export function bundlePaths(runsDir: string, workspace: string, name: string): BundlePaths {
  assertName(workspace, "metadata.workspace");
  assertName(name, "metadata.name");
  const dir = join(runsDir, workspace, name);
  const socket = join(dir, BundleFiles.socket);
  const tooLong = socketPathProblem(socket);
  if (tooLong) throw new InvalidParamsError(tooLong);
  return {
    dir,
    config: join(dir, BundleFiles.config),
    state: join(dir, BundleFiles.state),
    socket,
    log: join(dir, BundleFiles.log),
    events: join(dir, BundleFiles.events),
    workspaceLink: join(dir, BundleFiles.workspaceLink),
    workflow: join(dir, "workflow.md"),
    meshSocket: join(dir, BundleFiles.meshSocket),
  };
}

export interface ComposeInput {
  run: AgentRun;
  agent: Agent;
  workspace: Workspace;
  /** The agent's base environment (the basics, no secrets), before Agent.spec.env. */
  baseEnv: Record<string, string>;
  /**
   * agentd's environment, where the Agent's `spec.env` entries with `valueFrom` or
   * `fromHost` are read (default: none, so they are left out).
   */
  hostEnv?: Record<string, string>;
  /** Extra stdio/http MCP servers agentd injects (e.g. workspace-mesh). */
  injectedMcpServers?: McpServer[];
  /** ACP session to resume (restart of the same bundle). */
  resumeSessionId?: string;
  /** agentd's default for `spec.eventLog.maxSegments` (`mass server --event-max-segments`). */
  eventMaxSegments?: number;
  /** The sandbox decided for this start (daemon/runs/run_sandbox.ts); absent = none. */
  sandbox?: RuntimeSandbox;
}

const MIB = 1024 * 1024;

/** Merges by name: a later server with the same name replaces; nameless ones are appended. */
export function mergeMcpServers(base: McpServer[], extra: McpServer[]): McpServer[] {
  const out = [...base];
  for (const s of extra) {
    const i = s.name === undefined ? -1 : out.findIndex((o) => o.name === s.name);
    if (i >= 0) out[i] = s;
    else out.push(s);
  }
  return out;
}

/**
 * The agent's whole environment: base ⊕ Agent.spec.env (host variables resolved from
 * `host`), as "K=V" entries.
 */
export function agentEnvEntries(
  base: Record<string, string>,
  agentEnv: readonly EnvVarSpec[] = [],
  host: Record<string, string> = {},
): string[] {
  const env = { ...base, ...resolveEnvVars(agentEnv, host) };
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** config.json for a run (pure; validated against the schema). */
export function composeConfig(input: ComposeInput): RuntimeConfig {
  const { run, agent, workspace } = input;
  const injected = input.injectedMcpServers ?? [];
  const mcpServers = mergeMcpServers(injected, run.spec.mcpServers ?? []);
  const systemPrompt = composeSystemPrompt({
    name: run.metadata.name,
    workspace: run.metadata.workspace,
    workspacePath: workspace.status.path,
    mesh: injected.length > 0,
    systemPrompt: run.spec.systemPrompt,
    workflowFile: run.spec.workflowFile,
  });
  const annotations: Record<string, string> = {
    ...(run.metadata.labels ?? {}),
    agent: agent.metadata.name,
    workspace: run.metadata.workspace,
  };
  const raw = {
    massVersion: MASS_VERSION,
    metadata: { name: run.metadata.name, annotations },
    agentRoot: { path: BundleFiles.workspaceLink },
    clientProtocol: "acp",
    process: {
      command: agent.spec.command,
      args: agent.spec.args ?? [],
      env: agentEnvEntries(input.baseEnv, agent.spec.env, input.hostEnv),
    },
    session: {
      ...(systemPrompt === undefined ? {} : { systemPrompt }),
      permissions: run.spec.permissions ?? "approve_all",
      mcpServers,
      ...(input.resumeSessionId ? { resumeSessionId: input.resumeSessionId } : {}),
    },
    runtime: {
      bootstrapTimeoutSeconds: agent.spec.startupTimeoutSeconds ?? DEFAULT_STARTUP_SECONDS,
      turnTimeoutSeconds: run.spec.turnTimeoutSeconds ?? 0,
      ...(run.spec.terminal ? { terminal: true } : {}),
      ...(run.spec.permissionTimeoutSeconds === undefined
        ? {}
        : { permissionTimeoutSeconds: run.spec.permissionTimeoutSeconds }),
      ...eventLogRuntime(run.spec.eventLog, input.eventMaxSegments),
    },
    ...(input.sandbox ? { sandbox: input.sandbox } : {}),
  };
  return RuntimeConfigSchema.parse(raw);
}

export const DEFAULT_STARTUP_SECONDS = 90;

/** `spec.eventLog` (else agentd's default retention) as config.json `runtime` fields. */
function eventLogRuntime(
  spec: AgentRun["spec"]["eventLog"],
  defaultMaxSegments: number | undefined,
): { eventSegmentBytes?: number; eventMaxSegments?: number } {
  const out: { eventSegmentBytes?: number; eventMaxSegments?: number } = {};
  if (spec?.segmentMiB !== undefined) out.eventSegmentBytes = spec.segmentMiB * MIB;
  const maxSegments = spec?.maxSegments ?? defaultMaxSegments;
  if (maxSegments !== undefined) out.eventMaxSegments = maxSegments;
  return out;
}

async function replaceSymlink(target: string, link: string): Promise<void> {
  try {
    await Deno.remove(link);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.symlink(target, link);
}

/**
 * Creates (or refreshes, on restart) the bundle: directory 0700, config.json, the
 * workspace symlink and the workflow copy. The event log and state.json are left alone.
 */
export async function writeBundle(
  paths: BundlePaths,
  config: RuntimeConfig,
  workspacePath: string,
  workflowFile?: string,
): Promise<void> {
  await Deno.mkdir(paths.dir, { recursive: true, mode: 0o700 });
  // The agent's environment (its keys) is in here: owner-only, whatever the umask.
  await writeFileAtomic(paths.config, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  await replaceSymlink(workspacePath, paths.workspaceLink);
  if (workflowFile) {
    try {
      await Deno.copyFile(workflowFile, paths.workflow);
    } catch {
      // Best effort, like the original: the prompt still names the original path.
    }
  }
}

/** Removes the bundle directory; a missing one is fine. */
export async function removeBundle(paths: BundlePaths): Promise<void> {
  try {
    await Deno.remove(paths.dir, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/** state.json as the agent-run last wrote it, or undefined. */
export function readState(paths: BundlePaths): Promise<RuntimeState | undefined> {
  return readStateFile(paths.state);
}

/** config.json as written, or undefined. */
export function readConfig(paths: BundlePaths): Promise<RuntimeConfig | undefined> {
  return readConfigFile(paths.config).catch(() => undefined);
}

/** Short label for logs: "<ws>/<name>". */
export function runLabel(workspace: string, name: string): string {
  return `${workspace}/${name}`;
}
