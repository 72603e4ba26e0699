/**
 * The workspace MCP server (`mass mesh-mcp`): an ACP agent launches it as a stdio MCP server
 * and gets two tools to work with the other agents of its workspace through agentd:
 * `agentrun_send` (message a peer) and `agentrun_status` (see the workspace and its peers).
 * See specs/mesh.md.
 *
 * stdout carries MCP messages only; logs go to the logger (stderr or a file).
 */
// The SDK's "./*" export maps `x.js` to types at `x.js.d.ts`, which do not exist; point the
// type checker at the real .d.ts files (without this everything from the SDK is `any`).
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import process from "node:process";
import { z } from "zod";
import type { ListOptions, ListResult, SendParams, SendResult } from "../../specs/ari.ts";
import type { AgentRun, Workspace } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import { type AriConnection, AriLink } from "./ari_link.ts";
import type { Logger } from "../../specs/lib/logger.ts";
import { silentLogger } from "../../specs/lib/silent_logger.ts";
import { MESH_SERVER_NAME, MESH_SERVER_VERSION, SEND_TOOL, STATUS_TOOL } from "../../specs/mesh.ts";

export { MESH_SERVER_NAME, MESH_SERVER_VERSION, SEND_TOOL, STATUS_TOOL };

/** The ARI calls the mesh makes (AriClient provides them). */
export interface MeshAri extends AriConnection {
  workspaceSend(params: SendParams): Promise<SendResult>;
  workspaceGet(name: string): Promise<Workspace>;
  agentrunList(opts?: ListOptions): Promise<ListResult<AgentRun>>;
}

export interface MeshServerOptions {
  /** The workspace whose agents this server connects. */
  workspace: string;
  /** The agent this server speaks for: the `from` of every message it sends. */
  agentName: string;
  /** The connection to agentd (reconnecting). */
  link: AriLink<MeshAri>;
  logger?: Logger;
}

/** agentrun_send's arguments (validated by the SDK before the tool runs). */
export const SendInputShape = {
  targetAgent: z.string().min(1).describe("name of the agent to message"),
  message: z.string().min(1).describe("the message text"),
  needsReply: z.boolean().optional().describe("ask the target to reply to you"),
};
export type SendInput = z.infer<z.ZodObject<typeof SendInputShape>>;

// ---------------------------------------------------------------- answers (pure)

/** The tool answer for a workspace/send result. */
export function sendResultText(target: string, result: SendResult): string {
  if (result.delivered) {
    return `Message delivered to ${target}. The target agent will process it asynchronously.`;
  }
  if (result.queued) {
    return `${target} is busy; the message is queued and will be delivered when it is idle.`;
  }
  return `Message to ${target} was neither delivered nor queued.`;
}

/** The tool answer for agentrun_status. Members are listed by name. */
export function statusText(ws: Workspace, runs: AgentRun[]): string {
  const members = [...runs].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return [
    `Workspace: ${ws.metadata.name} (phase: ${ws.status?.phase ?? "unknown"})`,
    `Path: ${ws.status?.path ?? "(unknown)"}`,
    `Members (${members.length}):`,
    ...members.map((r) =>
      `  - ${r.metadata.name} [${r.spec.agent}] state: ${r.status?.phase ?? "unknown"}`
    ),
  ].join("\n");
}

function text(t: string, isError = false): CallToolResult {
  return isError ? { content: [{ type: "text", text: t }], isError } : {
    content: [{ type: "text", text: t }],
  };
}

// ---------------------------------------------------------------- the server

/** The MCP server with both tools registered; connect it to a transport to serve. */
export function createMeshServer(opts: MeshServerOptions): McpServer {
  const { workspace, agentName, link } = opts;
  const log = opts.logger ?? silentLogger;
  const server = new McpServer({ name: MESH_SERVER_NAME, version: MESH_SERVER_VERSION });

  server.registerTool(SEND_TOOL, {
    description: "Send a message to another agent in this workspace. It is handled " +
      "asynchronously: when the target is busy, the message waits in its inbox until it is " +
      "idle. Set needsReply to ask the target to answer you with agentrun_send.",
    inputSchema: SendInputShape,
  }, async ({ targetAgent, message, needsReply }) => {
    const params: SendParams = {
      workspace,
      from: agentName,
      to: targetAgent,
      message: [{ type: "text", text: message }],
      ...(needsReply === undefined ? {} : { needsReply }),
    };
    try {
      const result = await link.call((ari) => ari.workspaceSend(params));
      log.info("message sent", { to: targetAgent, ...result });
      return text(sendResultText(targetAgent, result), !result.delivered && !result.queued);
    } catch (err) {
      log.warn("workspace/send failed", { to: targetAgent, error: errorMessage(err) });
      return text(`workspace/send failed: ${errorMessage(err)}`, true);
    }
  });

  server.registerTool(STATUS_TOOL, {
    description: "Show this workspace and the agents in it, with their states.",
    inputSchema: {},
  }, async () => {
    let ws: Workspace;
    try {
      ws = await link.call((ari) => ari.workspaceGet(workspace), { readOnly: true });
    } catch (err) {
      log.warn("workspace/get failed", { error: errorMessage(err) });
      return text(`workspace/get failed: ${errorMessage(err)}`, true);
    }
    try {
      const list = await link.call(
        (ari) => ari.agentrunList({ fieldSelector: { workspace } }),
        { readOnly: true },
      );
      return text(statusText(ws, list.items ?? []));
    } catch (err) {
      log.warn("agentrun/list failed", { error: errorMessage(err) });
      return text(`agentrun/list failed: ${errorMessage(err)}`, true);
    }
  });

  return server;
}

export interface ServeMeshOptions {
  socketPath: string;
  workspace: string;
  agentName: string;
  logger?: Logger;
  /** How long a call keeps redialling agentd while it restarts (default 5 s). */
  dialRetryMs?: number;
}

/**
 * Serves the mesh on this process's stdin/stdout until stdin ends (the agent closed it or
 * exited). agentd is dialled on the first tool call, and again after it restarts.
 */
export async function serveMeshStdio(opts: ServeMeshOptions): Promise<void> {
  const log = opts.logger ?? silentLogger;
  const link = new AriLink<MeshAri>({
    socketPath: opts.socketPath,
    dialRetryMs: opts.dialRetryMs,
    logger: log,
  });
  const server = createMeshServer({ ...opts, link, logger: log });
  const transport = new StdioServerTransport();
  // connect() takes over the transport's callbacks; the protocol's own onclose is ours.
  const done = new Promise<void>((resolve) => (server.server.onclose = resolve));
  await server.connect(transport);
  // The SDK's stdio transport does not watch for end of input; without this the server
  // would outlive the agent that started it.
  process.stdin.once("end", () => void transport.close());
  process.stdin.once("close", () => void transport.close());
  log.info("workspace-mesh serving", {
    workspace: opts.workspace,
    agent: opts.agentName,
    socket: opts.socketPath,
  });
  await done;
  link.close();
  await server.close().catch(() => {});
  log.info("workspace-mesh stopped");
}
