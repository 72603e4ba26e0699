/**
 * `massctl agentrun acp NAME -w WS`: speaks ACP on stdin/stdout for one supervised run, so an
 * editor (Zed, JetBrains, Neovim) or `acpx` can use the run as its agent. Closing the client
 * never stops the run.
 */
import { Command } from "@commander-js/extra-typings";
import type { App } from "../cli/app.ts";
import { timeoutOption } from "../cli/commands/common.ts";
import { parseDuration } from "../cli/duration.ts";
import { CliError } from "../cli/errors.ts";

/** The `acp` subcommand of `agentrun`. */
export function acpCommand(app: App) {
  return new Command("acp")
    .description("speak ACP on stdin/stdout for an agent run (for editors and acpx)")
    .argument("<name>", "agent run name")
    .requiredOption("-w, --workspace <name>", "workspace of the agent run")
    .option("--create", "create the run on session/new when it does not exist (needs --agent)")
    .option("--agent <agent>", "with --create: the agent definition to run")
    .option(
      "--busy-timeout <duration>",
      "how long a prompt waits while another client's turn runs, then fails",
      "30s",
    )
    .addOption(timeoutOption("10m", "wait for a created run to be idle"))
    .action(async (name, opts) => {
      if (opts.create && !opts.agent) {
        throw new CliError("agentrun acp --create needs --agent AGENT (e.g. --agent demo)");
      }
      const busyTimeoutMs = parseDuration(opts.busyTimeout, "--busy-timeout");
      const createTimeoutMs = parseDuration(opts.timeout, "--timeout");
      const client = await app.client();
      // Loaded only here: the ACP SDK is not what other massctl commands should pay for.
      const { serveAcp } = await import("./serve_acp.ts");
      await serveAcp({
        client,
        key: { workspace: opts.workspace, name },
        ...(opts.create ? { createWithAgent: opts.agent } : {}),
        busyTimeoutMs,
        createTimeoutMs,
        input: Deno.stdin.readable,
        output: Deno.stdout.writable,
        log: (line) => app.err(`massctl acp: ${line}\n`),
      });
    });
}
