/**
 * Loads and validates a bundle: `config.json` against RuntimeConfigSchema, the workspace
 * (agentRoot) resolved to a real directory, and the bundle's file paths.
 */
import { join } from "node:path";
import type * as acp from "@agentclientprotocol/sdk";
import { ConfigFileError, parseConfigText } from "../specs/eventlog/config.ts";
import { BundleFiles, type McpServer } from "../specs/runtime.ts";
import type { PermissionPolicy, RuntimeConfig } from "../specs/runtime.ts";
import { PermissionPolicySchema } from "../specs/runtime.ts";
import { socketPathProblem } from "../specs/names.ts";

/** A bundle that cannot be run; `message` is one line, fit for stderr. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

export interface BundlePaths {
  config: string;
  state: string;
  socket: string;
  log: string;
  events: string;
}

export interface Bundle {
  /** Real path of the bundle directory. */
  dir: string;
  /** Real path of the workspace: the agent's cwd and the root of fs/* access. */
  workspace: string;
  config: RuntimeConfig;
  paths: BundlePaths;
}

/** The paths of a bundle's files under `dir`: config, state, socket, log and events. */
export function bundlePaths(dir: string): BundlePaths {
  return {
    config: join(dir, BundleFiles.config),
    state: join(dir, BundleFiles.state),
    socket: join(dir, BundleFiles.socket),
    log: join(dir, BundleFiles.log),
    events: join(dir, BundleFiles.events),
  };
}

/** Parses config.json text; throws BundleError with a one-line reason. */
export function parseConfig(text: string): RuntimeConfig {
  try {
    return parseConfigText(text);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new BundleError(err.message);
    throw err;
  }
}

export interface LoadBundleOptions {
  /** `--permissions`: overrides session.permissions. */
  permissions?: string;
}

/** Reads and checks a bundle; every failure is a BundleError. */
export async function loadBundle(bundleDir: string, opts: LoadBundleOptions = {}): Promise<Bundle> {
  let dir: string;
  try {
    dir = await Deno.realPath(bundleDir);
    if (!(await Deno.stat(dir)).isDirectory) throw new Error("not a directory");
  } catch (err) {
    throw new BundleError(`bundle ${bundleDir}: ${(err as Error).message}`);
  }
  const paths = bundlePaths(dir);
  const tooLong = socketPathProblem(paths.socket);
  if (tooLong) throw new BundleError(tooLong);
  let text: string;
  try {
    text = await Deno.readTextFile(paths.config);
  } catch (err) {
    throw new BundleError(`cannot read ${paths.config}: ${(err as Error).message}`);
  }
  const config = parseConfig(text);
  if (opts.permissions !== undefined) {
    const policy = PermissionPolicySchema.safeParse(opts.permissions);
    if (!policy.success) {
      throw new BundleError(`--permissions: unknown policy ${JSON.stringify(opts.permissions)}`);
    }
    config.session.permissions = policy.data satisfies PermissionPolicy;
  }
  let workspace: string;
  try {
    workspace = await Deno.realPath(join(dir, config.agentRoot.path));
    if (!(await Deno.stat(workspace)).isDirectory) throw new Error("not a directory");
  } catch (err) {
    throw new BundleError(`agentRoot.path ${config.agentRoot.path}: ${(err as Error).message}`);
  }
  return { dir, workspace, config, paths };
}

/** The agent's environment: exactly config process.env (K=V, first `=` splits). */
export function agentEnv(config: RuntimeConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of config.process.env) {
    const i = entry.indexOf("=");
    env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}

/** config.json MCP servers as ACP `session/new` entries (mass-behaviour §4.1). */
export function toAcpMcpServers(servers: McpServer[]): acp.McpServer[] {
  return servers.map((s, i): acp.McpServer => {
    const name = s.name ?? `mcp-${i}`;
    if (s.type === "stdio") {
      return { name, command: s.command ?? "", args: s.args ?? [], env: s.env ?? [] };
    }
    return { name, type: s.type, url: s.url ?? "", headers: [] };
  });
}
