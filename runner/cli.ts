/**
 * `mass run --bundle DIR [--permissions P] [--log-level L]`: one agent-run in the foreground.
 *
 * Exit codes are ExitCode in exit_code.ts. A bad bundle prints one line on stderr and exits 1
 * before anything is started or any socket exists.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { PermissionPolicySchema } from "../specs/runtime.ts";
import { AgentRun } from "./agent_run.ts";
import { ExitCode } from "./exit_code.ts";
import { BundleError, loadBundle } from "./config.ts";
import { LogFile } from "./log_file.ts";
import { LOG_LEVELS, parseLogLevel, textLogger } from "./logger.ts";

export interface RunOptions {
  bundle: string;
  permissions?: string;
  logLevel?: string;
}

const encoder = new TextEncoder();

function stderrLine(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(text.replace(/\s*\n\s*/g, " ") + "\n"));
  } catch {
    // stderr closed (agentd starts us with null stdio)
  }
}

/** Runs one agent-run to its end; resolves with the exit code (does not exit). */
export async function runAgentRun(opts: RunOptions): Promise<number> {
  let bundle;
  try {
    bundle = await loadBundle(opts.bundle, { permissions: opts.permissions });
  } catch (err) {
    stderrLine(`mass run: ${err instanceof BundleError ? err.message : String(err)}`);
    return ExitCode.BadBundle;
  }
  let logFile: LogFile;
  try {
    logFile = await LogFile.open(bundle.paths.log);
  } catch (err) {
    stderrLine(`mass run: cannot open ${bundle.paths.log}: ${(err as Error).message}`);
    return ExitCode.BadBundle;
  }
  const logger = textLogger(
    (line) => void logFile.write(encoder.encode(line)),
    parseLogLevel(opts.logLevel),
  );
  const run = new AgentRun(bundle, {
    logger,
    onAgentStderr: (chunk) => logFile.write(chunk),
  });

  const onSignal = () => void run.requestStop();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  // A crash of the agent-run must not leave its agent behind.
  const onCrash = (e: ErrorEvent | PromiseRejectionEvent) => {
    e.preventDefault();
    const reason = "reason" in e ? e.reason : e.error;
    logger.error("agent-run crashed: {error}", { error: String(reason?.stack ?? reason) });
    run.emergencyStop();
    stderrLine(`mass run: internal error: ${reason}`);
    Deno.exit(ExitCode.Internal);
  };
  globalThis.addEventListener("unhandledrejection", onCrash);
  globalThis.addEventListener("error", onCrash);
  try {
    return await run.run();
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    globalThis.removeEventListener("unhandledrejection", onCrash);
    globalThis.removeEventListener("error", onCrash);
    await logFile.close();
  }
}

/** The `run` subcommand for mass.ts. */
export function runCommand() {
  return new Command("run")
    .description("run one agent-run for a bundle (started by agentd)")
    .requiredOption("--bundle <dir>", "bundle directory holding config.json")
    .addOption(
      new Option("--permissions <policy>", "override session.permissions")
        .choices(PermissionPolicySchema.options),
    )
    .option("--log-level <level>", `log level: ${LOG_LEVELS.join("|")} (unknown → info)`, "info")
    // The original's flags, accepted so scripts written for it run unchanged: the agent-run
    // keeps its state and log in the bundle (agentd reads them there).
    .option("--state-dir <dir>", "accepted for compatibility; state stays in the bundle")
    .option("--id <id>", "accepted for compatibility (with --state-dir)")
    .option("--log-format <format>", "accepted for compatibility; the log is text lines")
    .option("--log-path <dir>", "accepted for compatibility; the log is <bundle>/agent-run.log")
    .action(async (opts) => {
      if (opts.stateDir || opts.logPath) {
        stderrLine(
          `mass run: --state-dir/--log-path accepted for compatibility; state and log stay in ` +
            `the bundle ${opts.bundle}`,
        );
      }
      const code = await runAgentRun({
        bundle: opts.bundle,
        permissions: opts.permissions,
        logLevel: opts.logLevel,
      });
      Deno.exit(code);
    });
}
