/**
 * The workspace MCP server (`mass mesh-mcp`): an ACP agent launches it as a stdio MCP server
 * and gets three tools to work with the other agents of its workspace through its run's mesh
 * endpoint (agentd serves it per run; the agent never gets ARI):
 * `agentrun_send` (message a peer), `agentrun_status` (see the workspace and its peers) and
 * `agentrun_wait_reply` (take a peer's reply as the tool's answer).
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
import type { SendResult } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import { type AriConnection, AriLink } from "./ari_link.ts";
import type { Logger } from "../../specs/lib/logger.ts";
import { silentLogger } from "../../specs/lib/silent_logger.ts";
import {
  MESH_SERVER_NAME,
  MESH_SERVER_VERSION,
  MESH_WAIT_DEFAULT_SECONDS,
  MESH_WAIT_MAX_SECONDS,
  type MeshSendParams,
  type MeshStatus,
  type MeshWaitParams,
  type MeshWaitResult,
  SEND_TOOL,
  STATUS_TOOL,
  WAIT_TOOL,
} from "../../specs/mesh.ts";
import { MeshClient } from "./mesh_client.ts";

export { MESH_SERVER_NAME, MESH_SERVER_VERSION, SEND_TOOL, STATUS_TOOL, WAIT_TOOL };

/** What the mesh needs of its endpoint (MeshClient provides it). */
export interface MeshPort extends AriConnection {
  send(params: MeshSendParams): Promise<SendResult>;
  status(): Promise<MeshStatus>;
  wait(params: MeshWaitParams): Promise<MeshWaitResult>;
}

export interface MeshServerOptions {
  /** The connection to the run's endpoint (reconnecting). */
  link: AriLink<MeshPort>;
  logger?: Logger;
}

/** agentrun_send's arguments (validated by the SDK before the tool runs). */
export const SendInputShape = {
  targetAgent: z.string().min(1).describe("name of the agent to message"),
  message: z.string().min(1).describe("the message text"),
  needsReply: z.boolean().optional().describe("ask the target to reply to you"),
};
export type SendInput = z.infer<z.ZodObject<typeof SendInputShape>>;

/** agentrun_wait_reply's arguments. */
export const WaitInputShape = {
  fromAgent: z.string().min(1).describe("name of the agent whose reply to wait for"),
  timeoutSeconds: z.number().positive().max(MESH_WAIT_MAX_SECONDS).optional()
    .describe(`how long to wait (default ${MESH_WAIT_DEFAULT_SECONDS} s)`),
};

// ---------------------------------------------------------------- answers (pure)

/** The tool answer for a mesh/wait result. */
export function waitResultText(
  from: string,
  result: MeshWaitResult,
  timeoutSeconds = MESH_WAIT_DEFAULT_SECONDS,
): string {
  if (!result.received) return `No reply from ${from} within ${timeoutSeconds} s.`;
  const body = result.message.map((b) => (typeof b.text === "string" ? b.text : "")).join("");
  return `Reply from ${from}:\n${body}`;
}

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
export function statusText(status: MeshStatus): string {
  const members = [...status.members].sort((a, b) => a.name.localeCompare(b.name));
  return [
    `Workspace: ${status.workspace.name} (phase: ${status.workspace.phase})`,
    `Path: ${status.workspace.path ?? "(unknown)"}`,
    `Members (${members.length}):`,
    ...members.map((r) => `  - ${r.name} [${r.agent}] state: ${r.phase}`),
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
  const { link } = opts;
  const log = opts.logger ?? silentLogger;
  const server = new McpServer({ name: MESH_SERVER_NAME, version: MESH_SERVER_VERSION });

  server.registerTool(SEND_TOOL, {
    description: "Send a message to another agent in this workspace. It is handled " +
      "asynchronously: when the target is busy, the message waits in its inbox until it is " +
      "idle. Set needsReply to ask the target to answer you with agentrun_send.",
    inputSchema: SendInputShape,
  }, async ({ targetAgent, message, needsReply }) => {
    const params: MeshSendParams = {
      to: targetAgent,
      message: [{ type: "text", text: message }],
      ...(needsReply === undefined ? {} : { needsReply }),
    };
    try {
      const result = await link.call((mesh) => mesh.send(params));
      log.info("message sent", { to: targetAgent, ...result });
      return text(sendResultText(targetAgent, result), !result.delivered && !result.queued);
    } catch (err) {
      log.warn("mesh/send failed", { to: targetAgent, error: errorMessage(err) });
      return text(`mesh/send failed: ${errorMessage(err)}`, true);
    }
  });

  server.registerTool(STATUS_TOOL, {
    description: "Show this workspace and the agents in it, with their states.",
    inputSchema: {},
  }, async () => {
    try {
      const status = await link.call((mesh) => mesh.status(), { readOnly: true });
      return text(statusText(status));
    } catch (err) {
      log.warn("mesh/status failed", { error: errorMessage(err) });
      return text(`mesh/status failed: ${errorMessage(err)}`, true);
    }
  });

  server.registerTool(WAIT_TOOL, {
    description: "Wait for a reply from another agent of this workspace (one you messaged " +
      "with needsReply) and get it as this tool's answer. Gives up after timeoutSeconds " +
      `(default ${MESH_WAIT_DEFAULT_SECONDS}, at most ${MESH_WAIT_MAX_SECONDS}).`,
    inputSchema: WaitInputShape,
  }, async ({ fromAgent, timeoutSeconds }) => {
    try {
      const result = await link.call(
        (mesh) => mesh.wait({ from: fromAgent, ...(timeoutSeconds ? { timeoutSeconds } : {}) }),
      );
      return text(waitResultText(fromAgent, result, timeoutSeconds));
    } catch (err) {
      log.warn("mesh/wait failed", { from: fromAgent, error: errorMessage(err) });
      return text(`mesh/wait failed: ${errorMessage(err)}`, true);
    }
  });

  return server;
}

export interface ServeMeshOptions {
  /** The run's mesh endpoint (`<bundle>/mesh/mesh.sock`), never agentd's ARI socket. */
  endpoint: string;
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
  const link = new AriLink<MeshPort>({
    socketPath: opts.endpoint,
    dial: (path) => MeshClient.connect(path),
    dialRetryMs: opts.dialRetryMs,
    logger: log,
  });
  const server = createMeshServer({ link, logger: log });
  const transport = new StdioServerTransport();
  // connect() takes over the transport's callbacks; the protocol's own onclose is ours.
  const done = new Promise<void>((resolve) => (server.server.onclose = resolve));
  await server.connect(transport);
  // The SDK's stdio transport does not watch for end of input; without this the server
  // would outlive the agent that started it.
  process.stdin.once("end", () => void transport.close());
  process.stdin.once("close", () => void transport.close());
  log.info("workspace-mesh serving", { endpoint: opts.endpoint });
  await done;
  link.close();
  await server.close().catch(() => {});
  log.info("workspace-mesh stopped");
}
