/**
 * The workspace mesh: the MCP server an agent starts (`mass mesh-mcp`, its entry injected
 * into the run's config.json `session.mcpServers`) and the per-run endpoint agentd serves it
 * on `<bundle>/mesh/mesh.sock`. The endpoint speaks for the run it belongs to: the sender of
 * every message is that run, never a claimed `from`, and only its workspace is in reach.
 * See specs/mesh.md.
 */
import { z } from "zod";
import { ContentBlockSchema } from "./events.ts";
import type { McpServer } from "./runtime.ts";
import type { SendResult } from "./ari.ts";
import { dirname, join } from "node:path";

export const MESH_SERVER_NAME = "workspace-mesh";
export const MESH_SERVER_VERSION = "0.1.0";
export const SEND_TOOL = "agentrun_send";
export const STATUS_TOOL = "agentrun_status";
export const WAIT_TOOL = "agentrun_wait_reply";

// ---------------------------------------------------------------- the endpoint (JSON-RPC)

/** The methods of the per-run mesh endpoint (nothing else is served there). */
export const MESH_METHODS = {
  send: "mesh/send",
  status: "mesh/status",
  wait: "mesh/wait",
} as const;

/**
 * `mesh/send`: a message from the endpoint's run to a run of the same workspace. Fields
 * other than these (a `from`, a `workspace`) are ignored: the endpoint knows who speaks.
 */
export const MeshSendParamsSchema = z.object({
  to: z.string().min(1, "to is required"),
  message: z.array(ContentBlockSchema).min(1, "message must not be empty"),
  needsReply: z.boolean().optional(),
});
export type MeshSendParams = z.infer<typeof MeshSendParamsSchema>;
export type MeshSendResult = SendResult;

/** Default and largest bound of one `mesh/wait`, in seconds. */
export const MESH_WAIT_DEFAULT_SECONDS = 60;
export const MESH_WAIT_MAX_SECONDS = 600;

/**
 * `mesh/wait`: waits for a message from run `from` of the same workspace to the endpoint's run
 * while that run is busy (such a message waits in its inbox), and takes it: it is answered
 * here instead of being delivered later as a prompt.
 */
export const MeshWaitParamsSchema = z.object({
  from: z.string().min(1, "from is required"),
  timeoutSeconds: z.number().positive().max(MESH_WAIT_MAX_SECONDS).optional(),
});
export type MeshWaitParams = z.infer<typeof MeshWaitParamsSchema>;
export type MeshWaitResult =
  | { received: true; from: string; message: z.infer<typeof ContentBlockSchema>[] }
  | { received: false };

/** `mesh/status` answers the endpoint's workspace and its runs (sorted by name). */
export interface MeshStatus {
  /** The run the endpoint belongs to. */
  self: string;
  workspace: { name: string; phase: string; path?: string };
  members: { name: string; agent: string; phase: string }[];
}

// ---------------------------------------------------------------- the MCP server entry

export interface MeshEntryInput {
  /** The run's mesh endpoint (`<bundle>/mesh/mesh.sock`). */
  endpoint: string;
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

/**
 * The stdio MCP server entry for one run (pure): `mass mesh-mcp --endpoint <socket>`. No
 * agentd socket, no names: the endpoint alone decides who speaks and to whom.
 */
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
      "--endpoint",
      input.endpoint,
      ...(input.logLevel ? ["--log-level", input.logLevel] : []),
      ...(input.logDir ? ["--log-path", input.logDir] : []),
    ],
    env: [],
  };
}
