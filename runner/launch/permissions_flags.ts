/**
 * The Deno permissions an agent-run (`mass run`) gets.
 *
 * An agent-run may read and write only its bundle and its workspace (plus, for a linked git
 * worktree, its git directory and the repository's `.git`), listen only on its own
 * socket, run only its agent (plus `kill(1)`, since `Deno.kill` of a process group needs
 * unrestricted `--allow-run`), and read no environment variable unless told. The agent it
 * starts is an ordinary child process: Deno's sandbox does not apply to it, which is why the
 * agent-run gives it an explicit environment. Under `sandbox.mode: bwrap` the agent-run and
 * its agent run in bwrap views (runner/launch/sandbox/), which are then the boundary: a
 * deno-launched agent runs deno with -A inside its view; `kill(1)` inside the agent-run's
 * PID namespace reaches only the run's own processes. Under `none` the flags below are all
 * there is, and the agent itself is unconfined.
 */
import { basename, delimiter, isAbsolute, join, resolve } from "node:path";
import { BundleFiles } from "../../specs/runtime.ts";
import { gitWorktreeDirs } from "./git_worktree_dirs.ts";
import { KILL_BINARIES } from "./process_group.ts";

export interface AgentRunFlagsInput {
  bundleDir: string;
  workspaceDir: string;
  /** process.command from config.json; bare names are looked up in `pathEnv`. */
  agentCommand: string;
  /** The deno binary; default Deno.execPath(). Allowed to run when the agent is `deno`. */
  denoPath?: string;
  /** Environment variables the agent-run may read (none by default). */
  extraEnv?: string[];
  /** PATH used to resolve a bare agent command; default the agent's PATH, else ours. */
  pathEnv?: string;
  /** config.runtime.terminal: the agent may run any command through the agent-run. */
  terminal?: boolean;
  /**
   * Under a bwrap sandbox: the agent and terminal commands start through this binary, so
   * it (and kill) is all the agent-run may run; the sandbox's views are the boundary.
   */
  bwrapPath?: string;
}

function isExecutableFile(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Absolute path of `command`: itself when it has a `/`, else the first match on `pathEnv`. */
export function resolveCommand(command: string, pathEnv: string | undefined): string | undefined {
  if (command.includes("/")) return resolve(command);
  for (const dir of (pathEnv ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** The real path of `path`, or its absolute form when it does not exist (yet). */
export function realOrResolved(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

function ownPath(): string | undefined {
  try {
    return Deno.env.get("PATH");
  } catch {
    return undefined;
  }
}

/** The exact `deno run` permission flags for one agent-run. */
export function agentRunPermissionFlags(input: AgentRunFlagsInput): string[] {
  const bundle = realOrResolved(input.bundleDir);
  const workspace = realOrResolved(input.workspaceDir);
  const socket = join(bundle, BundleFiles.socket);
  // A run's own git worktree: git inside it writes to the repository's .git (objects, refs).
  const paths = [...new Set([bundle, workspace, ...gitWorktreeDirs(workspace)])].join(",");
  const flags = [
    "--no-prompt",
    `--allow-read=${paths}`,
    `--allow-write=${paths}`,
    `--allow-net=unix:${socket}`,
  ];
  if (input.bwrapPath) {
    const kill = KILL_BINARIES.find(isExecutableFile);
    flags.push(`--allow-run=${[input.bwrapPath, ...(kill ? [kill] : [])].join(",")}`);
  } else if (input.terminal) {
    flags.push("--allow-run");
  } else {
    const run = new Set<string>();
    const agent = resolveCommand(input.agentCommand, input.pathEnv ?? ownPath());
    if (agent) run.add(agent);
    if (agent && basename(agent) === "deno" || basename(input.agentCommand) === "deno") {
      run.add(input.denoPath ?? Deno.execPath());
    }
    const kill = KILL_BINARIES.find(isExecutableFile);
    if (kill) run.add(kill);
    flags.push(`--allow-run=${[...run].join(",")}`);
  }
  if (input.extraEnv && input.extraEnv.length > 0) {
    flags.push(`--allow-env=${[...new Set(input.extraEnv)].join(",")}`);
  }
  return flags;
}
