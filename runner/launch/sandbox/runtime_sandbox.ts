/**
 * config.json's `sandbox` for one run, computed by agentd (which may read the host): the
 * applied mode and network plus the real host paths the agent's view shows read-only.
 */
import { basename, dirname, join } from "node:path";
import type { AppliedSandbox, RuntimeSandbox, SandboxHost } from "../../../specs/sandbox.ts";
import type { MassLocation } from "../mass_location.ts";
import { realOrResolved, resolveCommand } from "../permissions_flags.ts";
import { isSystemPath } from "./bwrap_args.ts";
import { massFiles } from "./agent_run_view.ts";

/** A command the agent (or an MCP server it starts) runs. */
export interface SandboxedCommand {
  command: string;
  args?: readonly string[];
}

export interface RuntimeSandboxInput {
  applied: AppliedSandbox & { paths: string[] };
  /** From the probe (present when it succeeded). */
  host?: SandboxHost;
  /** The agent's command, then stdio MCP servers it will start. */
  commands: readonly SandboxedCommand[];
  /** PATH to resolve bare commands on (the agent's). */
  pathEnv?: string;
  mass: MassLocation;
  /**
   * Host paths never shown, whatever an argument names (agentd's root: its socket, KV
   * store, bundles and workspaces).
   */
  deny?: readonly string[];
  /** The run's working directory (a git worktree's repository is shown too). */
  workspace?: string;
}

const PROJECT_FILES = ["package.json", "deno.json", "deno.jsonc"];

function _exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Only regular files and directories: a socket named by an argument is not a runtime. */
function _isFileOrDir(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isFile || st.isDirectory;
  } catch {
    return false;
  }
}

/** The package or project a file belongs to (nearest folder with a manifest), else the file. */
function _projectOf(file: string): string {
  for (let dir = dirname(file); dir !== "/" && dir !== "."; dir = dirname(dir)) {
    if (PROJECT_FILES.some((f) => _exists(join(dir, f)))) return dir;
  }
  return file;
}

/** What running `cmd` needs to see: its binary or package, and files its arguments name. */
function _commandPaths(cmd: SandboxedCommand, pathEnv: string | undefined, out: Set<string>) {
  const found = resolveCommand(cmd.command, pathEnv);
  if (!found || !_exists(found)) return false;
  const real = realOrResolved(found);
  if (!isSystemPath(real)) out.add(_projectOf(real));
  for (const arg of cmd.args ?? []) {
    const value = arg.startsWith("--") && arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (value.startsWith("/") && _isFileOrDir(value) && Deno.statSync(value).isFile) {
      const r = realOrResolved(value);
      if (!isSystemPath(r)) out.add(_projectOf(r));
    }
  }
  return basename(real) === "deno" || basename(cmd.command) === "deno";
}

/** True when `a` and `b` are the same path or one holds the other. */
function _overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * The `sandbox` section of config.json: for `bwrap`, the read-only paths of the agent's
 * view (its command's package, Deno and its cache for deno-launched agents, mass itself
 * for its MCP servers, `spec.sandbox.paths`).
 */
export function runtimeSandbox(input: RuntimeSandboxInput): RuntimeSandbox {
  const { applied } = input;
  if (applied.mode !== "bwrap" || !input.host) {
    return { ...applied, mode: "none", readOnly: [], readWrite: [] };
  }
  const ro = new Set<string>();
  let deno = false;
  for (const cmd of input.commands) deno = _commandPaths(cmd, input.pathEnv, ro) || deno;
  if (deno) {
    ro.add(realOrResolved(Deno.execPath()));
    ro.add(massFiles(input.mass));
    if (input.host.denoDir) ro.add(input.host.denoDir);
  }
  for (const p of applied.paths) if (_isFileOrDir(p)) ro.add(realOrResolved(p));
  const deny = (input.deny ?? []).map(realOrResolved);
  const readOnly = [...ro].filter((p) => !deny.some((d) => _overlaps(p, d)));
  const git = input.workspace ? gitCommonDir(input.workspace) : undefined;
  return { ...applied, readOnly, readWrite: git ? [git] : [], host: input.host };
}

/**
 * The repository's git directory when `dir` is a git worktree (its `.git` is a file naming
 * `<repo>/.git/worktrees/<name>`): git in the worktree reads and writes objects and refs
 * there, so the views must show it read-write. Undefined for anything else.
 */
export function gitCommonDir(dir: string): string | undefined {
  try {
    const dotGit = join(dir, ".git");
    if (!Deno.lstatSync(dotGit).isFile) return undefined;
    const line = /^gitdir:\s*(.+)$/m.exec(Deno.readTextFileSync(dotGit))?.[1]?.trim();
    if (!line) return undefined;
    const gitdir = line.startsWith("/") ? line : join(dir, line);
    const common = Deno.readTextFileSync(join(gitdir, "commondir")).trim();
    return realOrResolved(common.startsWith("/") ? common : join(gitdir, common));
  } catch {
    return undefined;
  }
}
