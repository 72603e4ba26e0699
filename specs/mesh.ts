/**
 * The workspace-mesh MCP server contract: its names, tools, and the stdio entry agentd
 * injects into a run's config.json (`session.mcpServers`) so the agent can start it.
 */
import { dirname, join } from "node:path";
import type { McpServer } from "./runtime.ts";

export const MESH_SERVER_NAME = "workspace-mesh";
export const MESH_SERVER_VERSION = "0.1.0";
export const SEND_TOOL = "agentrun_send";
export const STATUS_TOOL = "agentrun_status";

export interface MeshEntryInput {
  /** agentd's ARI socket. */
  socketPath: string;
  workspace: string;
  /** The run the server speaks for (the `from` of its messages). */
  agentName: string;
  /** The deno binary (agentd passes Deno.execPath()). */
  denoPath: string;
  /** Absolute path of mass.ts (or of a bundle of it). */
  massEntry: string;
  /**
   * deno.json to resolve mass's imports with. The agent starts the server in its own
   * directory, where deno would find no config; default: deno.json beside `massEntry`.
   * `null` omits the flag; `false` passes `--no-config` (a self-contained bundle, which must
   * not pick up a deno.json from the agent's directory).
   */
  denoConfig?: string | null | false;
  /** Forwarded as --log-level. */
  logLevel?: string;
  /** Forwarded as --log-path: the server then logs to <dir>/workspace-mesh-server.log. */
  logDir?: string;
}

/** The stdio MCP server entry for one run (pure). */
export function meshMcpServerEntry(input: MeshEntryInput): McpServer {
  const config = input.denoConfig === undefined
    ? join(dirname(input.massEntry), "deno.json")
    : input.denoConfig;
  return {
    type: "stdio",
    name: MESH_SERVER_NAME,
    command: input.denoPath,
    args: [
      "run",
      "-A",
      ...(config === null ? [] : config === false ? ["--no-config"] : [`--config=${config}`]),
      input.massEntry,
      "mesh-mcp",
      "--socket",
      input.socketPath,
      "--workspace",
      input.workspace,
      "--agent",
      input.agentName,
      ...(input.logLevel ? ["--log-level", input.logLevel] : []),
      ...(input.logDir ? ["--log-path", input.logDir] : []),
    ],
    env: [],
  };
}
