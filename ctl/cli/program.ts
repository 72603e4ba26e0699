/**
 * The massctl command tree, and `runCli`, which runs one command line and returns its exit
 * code. Everything is built per call from `CliDeps`, so tests can run it in-process.
 */
import { Argument, Command, CommanderError } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { App, type CliDeps } from "./app.ts";
import { agentCommand } from "./commands/agent.ts";
import { agentrunCommand } from "./commands/agentrun.ts";
import { composeCommand } from "./commands/compose.ts";
import { daemonCommand, versionCommand } from "./commands/system.ts";
import { workspaceCommand } from "./commands/workspace.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { describeError, ExitCode, exitCodeOf } from "./errors.ts";
import { toCliError } from "./to_cli_error.ts";

export interface Cli {
  program: CommandUnknownOpts;
  app: App;
}

/**
 * Builds the massctl command tree over `deps`; returns the program and the App its commands share.
 */
export function createCli(deps: CliDeps): Cli {
  const program = new Command("massctl")
    .description("control the mass daemon: workspaces, agents and agent runs")
    .option(
      "--socket <path>",
      "ARI socket (default: $MASS_SOCKET, $MASS_ROOT/mass.sock or ~/.mass/mass.sock)",
    );
  const app = new App(deps, () => program.opts().socket);

  program.addCommand(workspaceCommand(app));
  program.addCommand(agentCommand(app));
  program.addCommand(agentrunCommand(app));
  program.addCommand(composeCommand(app));
  program.addCommand(daemonCommand(app));
  program.addCommand(versionCommand(app));
  program.addCommand(
    new Command("completion")
      .description("print a shell completion script")
      .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS))
      .action((shell) => app.out(completionScript(shell, program))),
  );

  configureAll(program, deps);
  return { program, app };
}

/** Commander settings are per command; apply ours to every command in the tree. */
function configureAll(cmd: CommandUnknownOpts, deps: CliDeps): void {
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: (s) => deps.io.out(s),
    writeErr: (s) => deps.io.err(s),
    // Errors are printed once, as one line, by runCli.
    outputError: () => {},
  });
  cmd.showSuggestionAfterError(true);
  for (const sub of cmd.commands) configureAll(sub, deps);
}

/** Commander's own exits that are not errors (help, version). */
const QUIET_CODES = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { program, app } = createCli(deps);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return app.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (QUIET_CODES.has(err.code)) return err.exitCode;
      deps.io.err(`Error: ${describeError(err.message.replace(/^error:\s*/i, ""))}\n`);
      return ExitCode.Failure;
    }
    const cliErr = toCliError(err);
    deps.io.err(`Error: ${describeError(cliErr)}\n`);
    return exitCodeOf(cliErr);
  } finally {
    await app.close();
  }
}
