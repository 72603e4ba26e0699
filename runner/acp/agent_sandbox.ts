/**
 * The bwrap view the agent (and each terminal/* command) runs in, from inside the
 * agent-run's own view: the system and the agent's runtime read-only (config.json
 * `sandbox.readOnly`, resolved by agentd), the workspace read-write, a private HOME
 * (`<bundle>/home`) and TMPDIR (`<bundle>/tmp`, and /tmp a tmpfs of its own), the run's
 * mesh directory when there is one,
 * and nothing else of the bundle: no config.json, event log, state.json or agent-run socket.
 */
import { join } from "node:path";
import { BundleFiles } from "../../specs/runtime.ts";
import type { RuntimeSandbox } from "../../specs/sandbox.ts";
import { namespaceArgs, SYSTEM_DIRS } from "../launch/sandbox/bwrap_args.ts";

/** A command line, possibly wrapped in bwrap. */
export interface Wrapped {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Wraps one command of the agent's into its view (identity when unconfined). */
export type AgentWrap = (
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
) => Wrapped;

/** Variables that would point the agent back at the host user's home. */
const HOST_HOME_VARS = ["XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"];

/**
 * The agent's environment inside its view: HOME and TMPDIR private (`<bundle>/home`,
 * `<bundle>/tmp`), DENO_DIR the host's (read-only).
 */
export function sandboxEnv(
  env: Record<string, string>,
  bundle: string,
  sandbox: RuntimeSandbox,
): Record<string, string> {
  const out: Record<string, string> = {
    ...env,
    HOME: join(bundle, BundleFiles.home),
    TMPDIR: join(bundle, BundleFiles.tmp),
  };
  for (const name of HOST_HOME_VARS) delete out[name];
  const denoDir = sandbox.host?.denoDir;
  if (denoDir && sandbox.readOnly.includes(denoDir)) out.DENO_DIR = denoDir;
  return out;
}

/**
 * `bwrap <view> -- command args` for the agent. Paths are not checked here (the agent-run
 * may not read them): missing read-only ones are skipped by `--ro-bind-try`. The spawn is
 * detached (setsid, no terminal), so `--new-session` is not needed and would take the
 * agent out of the process group the agent-run stops.
 */
export function agentViewArgs(
  sandbox: RuntimeSandbox,
  bundle: string,
  workspace: string,
  cwd: string,
): string[] {
  const ro = (p: string) => ["--ro-bind-try", p, p];
  return [
    ...SYSTEM_DIRS.flatMap(ro),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    // A private /tmp first, so that mount points made for binds below it stay in memory.
    "--tmpfs",
    "/tmp",
    ...namespaceArgs(sandbox.network),
    "--die-with-parent",
    ...sandbox.readOnly.flatMap(ro),
    "--bind",
    join(bundle, BundleFiles.home),
    join(bundle, BundleFiles.home),
    "--bind",
    join(bundle, BundleFiles.tmp),
    join(bundle, BundleFiles.tmp),
    ...ro(join(bundle, BundleFiles.meshDir)),
    "--bind",
    workspace,
    workspace,
    ...sandbox.readWrite.flatMap((p) => ["--bind-try", p, p]),
    // The view's own root (a tmpfs holding the mount points) read-only too.
    "--remount-ro",
    "/",
    "--chdir",
    cwd,
    "--",
  ];
}

/**
 * How the agent-run starts its agent's commands: through bwrap under `mode: bwrap` (after
 * creating the private HOME and /tmp), as they are under `none`.
 */
export async function agentWrap(
  sandbox: RuntimeSandbox,
  bundle: string,
  workspace: string,
): Promise<AgentWrap> {
  const bwrap = sandbox.host?.bwrap;
  if (sandbox.mode !== "bwrap" || !bwrap) {
    return (command, args, env) => ({ command, args: [...args], env });
  }
  await Deno.mkdir(join(bundle, BundleFiles.home), { recursive: true, mode: 0o700 });
  await Deno.mkdir(join(bundle, BundleFiles.tmp), { recursive: true, mode: 0o700 });
  return (command, args, env, cwd) => ({
    command: bwrap,
    args: [...agentViewArgs(sandbox, bundle, workspace, cwd), command, ...args],
    env: sandboxEnv(env, bundle, sandbox),
  });
}
