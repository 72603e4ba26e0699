/**
 * The command that starts one agent-run: `deno run <its permission flags> mass run --bundle`.
 */
import { isAbsolute, join } from "node:path";
import { BundleFiles } from "../../specs/runtime.ts";
import { RuntimeSandboxSchema } from "../../specs/sandbox.ts";
import { agentRunViewArgs } from "./sandbox/agent_run_view.ts";
import { agentRunPermissionFlags, realOrResolved } from "./permissions_flags.ts";
import { agentRunV8Flags } from "./v8_flags.ts";
import {
  MASS_LOCATION,
  massConfigFlags,
  MassEntryError,
  type MassLocation,
  massSpawnProblem,
} from "./mass_location.ts";

export interface AgentRunCommandOptions {
  denoPath?: string;
  extraEnv?: string[];
  /** Forwarded as `--permissions` (overrides config.json). */
  permissions?: string;
  /** Forwarded as `--log-level`. */
  logLevel?: string;
  /** Which `mass` to start; default the one running. */
  mass?: MassLocation;
}

export interface AgentRunCommand {
  cmd: string;
  args: string[];
  /** Started inside the bwrap sandbox (its exit status is bwrap's: see bwrapExitStatus). */
  sandboxed?: boolean;
}

/**
 * bwrap dies of SIGTERM at once while the agent-run inside is still stopping (bwrap forwards
 * no signal, and the namespace's init ignores it), so agentd would take a stopping agent-run
 * for gone. bwrap is therefore exec'd with TERM and INT ignored: the agent-run installs its
 * own handlers (which exec resets), bwrap exits when it has, and SIGKILL still ends them all.
 */
const IGNORE_TERM = 'trap "" TERM INT; exec "$0" "$@"';

interface LooseConfig {
  agentRoot?: { path?: unknown };
  process?: { command?: unknown; env?: unknown };
  runtime?: { terminal?: unknown };
  sandbox?: unknown;
}

function readLooseConfig(bundle: string): LooseConfig {
  try {
    const parsed = JSON.parse(Deno.readTextFileSync(join(bundle, BundleFiles.config)));
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * How to start the agent-run of `bundleDir` under exactly its permission flags. Reads the
 * bundle's config.json for the workspace and agent command, leniently: `mass run` itself
 * validates the config and rejects a bad one. Throws MassEntryError from a `deno compile`
 * binary (see massSpawnProblem).
 */
export function agentRunCommand(
  bundleDir: string,
  opts: AgentRunCommandOptions = {},
): AgentRunCommand {
  const bundle = realOrResolved(bundleDir);
  const config = readLooseConfig(bundle);
  const root = typeof config.agentRoot?.path === "string" && !isAbsolute(config.agentRoot.path)
    ? join(bundle, config.agentRoot.path)
    : bundle;
  const command = typeof config.process?.command === "string" ? config.process.command : "";
  const env = Array.isArray(config.process?.env) ? config.process.env : [];
  const agentPath = env.find((e): e is string => typeof e === "string" && e.startsWith("PATH="));
  const deno = opts.denoPath ?? Deno.execPath();
  const parsed = RuntimeSandboxSchema.safeParse(config.sandbox);
  const sandbox = parsed.success && parsed.data.mode === "bwrap" ? parsed.data : undefined;
  const flags = agentRunPermissionFlags({
    bundleDir: bundle,
    workspaceDir: root,
    agentCommand: command,
    denoPath: deno,
    extraEnv: opts.extraEnv,
    pathEnv: agentPath?.slice("PATH=".length),
    terminal: config.runtime?.terminal === true,
    bwrapPath: sandbox?.host?.bwrap,
  });
  const mass = opts.mass ?? MASS_LOCATION;
  const problem = massSpawnProblem(mass);
  if (problem) throw new MassEntryError(problem);
  const args = [
    "run",
    agentRunV8Flags(),
    ...flags,
    ...massConfigFlags(mass),
    mass.entry,
    "run",
    "--bundle",
    bundle,
  ];
  if (opts.permissions) args.push("--permissions", opts.permissions);
  if (opts.logLevel) args.push("--log-level", opts.logLevel);
  if (!sandbox?.host) return { cmd: deno, args };
  const view = agentRunViewArgs({ sandbox, bundle, workspace: root, denoPath: deno, mass });
  return {
    cmd: "/bin/sh",
    args: ["-c", IGNORE_TERM, sandbox.host.bwrap, ...view, deno, ...args],
    sandboxed: true,
  };
}
