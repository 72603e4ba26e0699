/**
 * The bwrap view the agent-run itself runs in (`mode: bwrap`): the system read-only, deno,
 * mass's own files and the Deno cache read-only, its bundle and workspace read-write,
 * nothing else of the host or the daemon root (no mass.sock, mass.kv, other bundles or
 * workspaces). fs/* and terminal/* of the agent-run then resolve paths where no outside
 * file exists, which closes symlink-swap and hard-link races by construction.
 */
import { dirname } from "node:path";
import type { RuntimeSandbox } from "../../../specs/sandbox.ts";
import type { MassLocation } from "../mass_location.ts";
import { bindArgs, namespaceArgs, systemArgs } from "./bwrap_args.ts";

export interface AgentRunViewInput {
  sandbox: RuntimeSandbox;
  /** Real path of the bundle (read-write). */
  bundle: string;
  /** The workspace (read-write), as the bundle's link names it. */
  workspace: string;
  /** The deno binary that runs the agent-run. */
  denoPath: string;
  mass: MassLocation;
}

/** Where mass's files are: its source tree (with node_modules) or the bundle file. */
export function massFiles(mass: MassLocation): string {
  return mass.kind === "source" ? dirname(mass.entry) : mass.entry;
}

/**
 * The workspace is bound at its real path; when the bundle's link names it by another path
 * (through a symlink), that path shows it too, so the link resolves inside the view.
 */
function workspaceAlias(workspace: string): string[] {
  let target: string;
  let real: string;
  try {
    target = Deno.lstatSync(workspace).isSymlink ? Deno.readLinkSync(workspace) : workspace;
    real = Deno.realPathSync(workspace);
  } catch {
    return [];
  }
  return target.startsWith("/") && target !== real ? ["--bind", real, target] : [];
}

/**
 * `bwrap <view> --` for the agent-run. No `--die-with-parent` (it outlives agentd) and no
 * `--new-session`: the spawn is already its own session (setsid, no terminal), and bwrap's
 * setsid would take the agent-run out of the process group agentd stops.
 */
export function agentRunViewArgs(input: AgentRunViewInput): string[] {
  const { sandbox } = input;
  const host = sandbox.host;
  return [
    ...systemArgs(),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    // A private /tmp: nested bwrap mounts its staging tmpfs there.
    "--tmpfs",
    "/tmp",
    ...namespaceArgs(sandbox.network),
    ...bindArgs([
      input.denoPath,
      massFiles(input.mass),
      ...(host ? [host.bwrap] : []),
      ...(host?.denoDir ? [host.denoDir] : []),
      // What the agent's own view shows, which it can only take from this one.
      ...sandbox.readOnly,
    ]),
    ...bindArgs([input.bundle, input.workspace, ...sandbox.readWrite], true),
    ...workspaceAlias(input.workspace),
    ...(host?.denoDir ? ["--setenv", "DENO_DIR", host.denoDir] : []),
    // The view's own root (a tmpfs holding the mount points) read-only too.
    "--remount-ro",
    "/",
    "--chdir",
    input.bundle,
    "--",
  ];
}
