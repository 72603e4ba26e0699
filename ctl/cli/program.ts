/**
 * The massctl command tree, and `runCli`, which runs one command line and returns its exit
 * code. Everything is built per call from `CliDeps`, so tests can run it in-process.
 */
import { Argument, Command, CommanderError } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { App, type CliDeps } from "./app.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { describeError, ExitCode, exitCodeOf } from "./errors.ts";
import { toCliError } from "./to_cli_error.ts";
import { MASS_VERSION } from "../../specs/version.ts";

export interface Cli {
  program: CommandUnknownOpts;
  app: App;
}

type NounLoader = (app: App, sub: string | undefined) => Promise<CommandUnknownOpts>;

/**
 * The nouns, each loaded only when the command line names it (all of them for help,
 * completion and unknown words): `massctl ar get` never loads yaml, zod's schemas, the ACP SDK
 * or the chat UI, so it starts in a fraction of the time.
 */
const NOUNS: Record<string, { aliases: string[]; load: NounLoader }> = {
  workspace: {
    aliases: ["ws"],
    load: async (app) => (await import("./commands/workspace.ts")).workspaceCommand(app),
  },
  agent: {
    aliases: [],
    load: async (app) => (await import("./commands/agent.ts")).agentCommand(app),
  },
  agentrun: {
    aliases: ["ar"],
    load: async (app, sub) =>
      await (await import("./commands/agentrun.ts")).agentrunCommand(app, sub),
  },
  compose: {
    aliases: [],
    load: async (app) => (await import("./commands/compose.ts")).composeCommand(app),
  },
  daemon: {
    aliases: [],
    load: async (app) => (await import("./commands/system.ts")).daemonCommand(app),
  },
  version: {
    aliases: [],
    load: async (app) => (await import("./commands/system.ts")).versionCommand(app),
  },
  ext: {
    aliases: [],
    load: async (app) => (await import("./commands/ext.ts")).extCommand(app),
  },
  __complete: {
    aliases: [],
    load: async (app) => (await import("./commands/complete.ts")).completeCommand(app),
  },
};

/** Nouns left out of help and of the completion scripts. */
const HIDDEN = new Set(["__complete"]);

/** The noun and subcommand words of `argv` (after global options), if any. */
export function wantedWords(argv: readonly string[]): { noun?: string; sub?: string } {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i];
    if (a === "--socket") i++;
    else if (!a.startsWith("-")) words.push(a);
    else if (words.length === 1) break; // options of the noun: its subcommand is not known
  }
  const [word, sub] = words;
  const noun = Object.entries(NOUNS).find(([n, d]) => n === word || d.aliases.includes(word))?.[0];
  return { noun, sub: noun ? sub : undefined };
}

/**
 * The massctl program for `argv`: only the noun it names is loaded (every noun when it names
 * none, e.g. for `--help`, completion, or a typo that needs suggestions).
 */
export async function createCli(deps: CliDeps, argv?: readonly string[]): Promise<Cli> {
  const program = new Command("massctl")
    .description("control the mass daemon: workspaces, agents and agent runs")
    .version(MASS_VERSION, "-V, --version", "print the massctl version")
    .option(
      "--socket <path>",
      "ARI socket (default: $MASS_SOCKET, $MASS_ROOT/mass.sock or ~/.mass/mass.sock)",
    );
  const app = new App(deps, () => program.opts().socket);
  const { noun, sub } = argv ? wantedWords(argv) : {};
  // `massctl -V` needs no noun at all.
  const versionOnly = !noun && argv?.length === 1 && ["-V", "--version"].includes(argv[0]);
  const nouns = noun ? [noun] : versionOnly ? [] : Object.keys(NOUNS);
  const loaded = await Promise.all(nouns.map((n) => NOUNS[n].load(app, noun ? sub : undefined)));
  for (const [i, cmd] of loaded.entries()) {
    program.addCommand(cmd, { hidden: HIDDEN.has(nouns[i]) });
  }
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
  const { program, app } = await createCli(deps, argv);
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
