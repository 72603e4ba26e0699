/**
 * `massctl agentrun debug --socket S status|stop`: talk to one agent-run's own socket, without
 * agentd (as the original's `ar debug`): its runtime/status as JSON, or runtime/stop.
 */
import { Command } from "@commander-js/extra-typings";
import { RunnerClient } from "../../client/runner_client.ts";
import type { App } from "../app.ts";
import { CliError, isConnectRefused } from "../errors.ts";
import { printJson } from "./common.ts";

/** The `debug` subcommand of `agentrun`. */
export function debugCommand(app: App) {
  const debug = new Command("debug")
    .description("talk to an agent-run's own socket directly (no daemon needed)")
    .option("--socket <path>", "the agent-run's socket (<root>/runs/<ws>/<name>/agent-run.sock)");
  /** The socket: ours, or `--socket` given before the noun (which massctl itself parsed). */
  const socketOf = (own?: string): string => {
    const path = own ?? debug.opts().socket ?? app.socketOption;
    if (!path) {
      throw new CliError(
        "agentrun debug: --socket is required (the run's agent-run.sock; " +
          "massctl agentrun get NAME -w WS -o json shows it as status.socketPath)",
      );
    }
    return path;
  };
  const withRun = async <T>(path: string, fn: (run: RunnerClient) => Promise<T>): Promise<T> => {
    let run: RunnerClient;
    try {
      run = await RunnerClient.connect(path);
    } catch (err) {
      if (isConnectRefused(err)) {
        throw new CliError(`no agent-run listens at ${path}: is the run stopped?`);
      }
      throw new CliError(`cannot connect to ${path}: ${(err as Error).message}`);
    }
    try {
      return await fn(run);
    } finally {
      run.close();
    }
  };
  debug.command("status")
    .description("print the agent-run's runtime/status as JSON")
    .option("--socket <path>", "the agent-run's socket")
    .action(async (opts) =>
      printJson(app, await withRun(socketOf(opts.socket), (r) => r.status()))
    );
  debug.command("stop")
    .description("ask the agent-run to stop (runtime/stop): its agent and itself exit")
    .option("--socket <path>", "the agent-run's socket")
    .action(async (opts) => {
      await withRun(socketOf(opts.socket), (r) => r.stop());
      app.line("stop sent");
    });
  return debug;
}
