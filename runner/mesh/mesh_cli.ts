/**
 * `mass mesh-mcp --socket S --workspace WS --agent NAME`: the workspace-mesh MCP server on
 * stdio. An agent starts it (agentd puts the entry in the run's config); people rarely do.
 */
import { Command } from "@commander-js/extra-typings";
import { nameProblem, socketPathProblem } from "../../specs/names.ts";
import { LOG_LEVELS, parseLogLevel } from "../../specs/lib/log_level.ts";
import { openMeshLogger } from "./mesh_log.ts";
import { serveMeshStdio } from "./mesh_mcp.ts";

/** The first problem with the flags, or undefined. */
export function meshFlagsProblem(
  opts: { socket: string; workspace: string; agent: string },
): string | undefined {
  const ws = nameProblem(opts.workspace);
  if (ws) return `--workspace: ${ws}`;
  const agent = nameProblem(opts.agent);
  if (agent) return `--agent: ${agent}`;
  const socket = socketPathProblem(opts.socket);
  if (socket) return `--socket: ${socket}`;
  return undefined;
}

/**
 * The `mesh-mcp` command: serves the workspace-mesh MCP tools on stdio for one agent (agents
 * start it).
 */
export function meshMcpCommand() {
  return new Command("mesh-mcp")
    .description("serve the workspace-mesh MCP tools on stdio (started by agents)")
    .requiredOption("--socket <path>", "agentd ARI socket")
    .requiredOption("--workspace <name>", "workspace of the agent")
    .requiredOption("--agent <name>", "the agent this server speaks for")
    .option(
      "--log-level <level>",
      `log level: ${LOG_LEVELS.join("|")} (unknown: info)`,
      "info",
    )
    .option("--log-format <format>", "accepted for compatibility; logs are text lines")
    .option("--log-path <dir>", "log to <dir>/workspace-mesh-server.log instead of stderr")
    .action(async (opts, cmd) => {
      const problem = meshFlagsProblem(opts);
      if (problem) cmd.error(`error: ${problem}`, { exitCode: 2 });
      const logger = openMeshLogger({
        level: parseLogLevel(opts.logLevel),
        logDir: opts.logPath,
      });
      try {
        await serveMeshStdio({
          socketPath: opts.socket,
          workspace: opts.workspace,
          agentName: opts.agent,
          logger,
        });
      } finally {
        logger.close();
      }
    });
}
