/**
 * Starting an agent-run process. It runs detached (its own session and process group,
 * pid = pgid) with null stdio and a minimal explicit environment, so it survives agentd and
 * writes its own log file.
 */
import { agentRunCommand } from "./agent_run_command.ts";
import { pickEnv } from "./pick_env.ts";
import { bwrapExitStatus } from "./sandbox/bwrap_exit.ts";

/** What the agent-run process itself needs: deno's own caches and a PATH. */
export const RUNNER_ENV_ALLOW: readonly string[] = [
  "PATH",
  "HOME",
  "LANG",
  "TMPDIR",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "NO_COLOR",
];

export interface SpawnOptions {
  /** Environment of the agent-run process (not the agent's). */
  env?: Record<string, string>;
  denoPath?: string;
  logLevel?: string;
}

/**
 * Starts `mass run --bundle <dir>` detached, with null stdio and a cleared environment.
 *
 * @example
 * ```ts
 * const child = spawnAgentRun("/path/to/bundle", { logLevel: "info" });
 * await child.status;
 * ```
 */
export function spawnAgentRun(bundleDir: string, opts: SpawnOptions = {}): Deno.ChildProcess {
  const { cmd, args, sandboxed } = agentRunCommand(bundleDir, {
    denoPath: opts.denoPath,
    logLevel: opts.logLevel,
  });
  const child = new Deno.Command(cmd, {
    args,
    cwd: bundleDir,
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    clearEnv: true,
    env: opts.env ?? pickEnv(RUNNER_ENV_ALLOW),
  }).spawn();
  if (!sandboxed) return child;
  // Sandboxed: the status is bwrap's, which turns the agent-run's signal into 128+N.
  const status = child.status.then(bwrapExitStatus);
  Object.defineProperty(child, "status", { get: () => status });
  return child;
}
