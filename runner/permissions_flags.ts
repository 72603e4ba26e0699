/**
 * The Deno permissions an agent-run (`mass run`) gets, and the command that starts one.
 *
 * An agent-run may read and write only its bundle and its workspace, listen only on its own
 * socket, run only its agent (plus `kill(1)`, since `Deno.kill` of a process group needs
 * unrestricted `--allow-run`), and read no environment variable unless told. The agent it
 * starts is an ordinary child process: Deno's sandbox does not apply to it (that needs an
 * OS-level tool such as bwrap), which is why the agent-run gives it an explicit environment.
 *
 * daemon/ imports this module (and only this one) from runner/.
 */
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BundleFiles } from "../specs/runtime.ts";
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

function realOrResolved(path: string): string {
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
  const paths = [...new Set([bundle, workspace])].join(",");
  const flags = [
    "--no-prompt",
    `--allow-read=${paths}`,
    `--allow-write=${paths}`,
    `--allow-net=unix:${socket}`,
  ];
  if (input.terminal) {
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

/**
 * How `mass` is running: from its source tree, as the single file `deno bundle` writes
 * (dist/mass.js), or as a `deno compile` binary ("standalone").
 */
export type MassKind = "source" | "bundled" | "standalone";

/** Where `mass` runs from, and so how to start it again (`mass run`, `mass mesh-mcp`). */
export interface MassLocation {
  kind: MassKind;
  /** mass.ts, or the bundle file. For "standalone", a path inside the binary deno cannot run. */
  entry: string;
  /** The deno.json that resolves mass's imports (source only: a bundle is self-contained). */
  config?: string;
}

/**
 * Locates `mass` from this module's URL: in a bundle every module shares the bundle file's
 * URL, so a URL that is not this module's source path is the bundle (of mass: massctl's
 * bundle does not contain this module).
 */
export function locateMass(moduleUrl: string, standalone: boolean): MassLocation {
  const here = fileURLToPath(moduleUrl);
  if (!here.endsWith(join("runner", "permissions_flags.ts"))) {
    return { kind: standalone ? "standalone" : "bundled", entry: here };
  }
  const entry = join(dirname(here), "..", "mass.ts");
  return standalone
    ? { kind: "standalone", entry }
    : { kind: "source", entry, config: join(dirname(entry), "deno.json") };
}

/** Where this process's `mass` runs from. */
export const MASS_LOCATION: MassLocation = locateMass(import.meta.url, Deno.build.standalone);

/** Absolute path of the `mass` entry point (mass.ts, or the bundle file). */
export const MASS_ENTRY = MASS_LOCATION.entry;

/**
 * The `deno run` flags that give `mass` its configuration: its deno.json from source;
 * `--no-config` for a bundle, so no deno.json found in the working directory applies.
 */
export function massConfigFlags(mass: MassLocation = MASS_LOCATION): string[] {
  return mass.config ? [`--config=${mass.config}`] : ["--no-config"];
}

/** Thrown when agent-runs cannot be started from this kind of `mass`. */
export class MassEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MassEntryError";
  }
}

/**
 * Why this `mass` cannot start agent-runs, if it cannot: a `deno compile` binary has its
 * permissions fixed at compile time, so it cannot narrow them per agent-run.
 */
export function massSpawnProblem(mass: MassLocation = MASS_LOCATION): string | undefined {
  return mass.kind === "standalone"
    ? "a `deno compile` binary of mass cannot start agent-runs (they run under `deno run` " +
      "with per-run permissions); run `mass server` from source or from the bundle " +
      "(deno run -A --unstable-kv dist/mass.js server)"
    : undefined;
}

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
}

interface LooseConfig {
  agentRoot?: { path?: unknown };
  process?: { command?: unknown; env?: unknown };
  runtime?: { terminal?: unknown };
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
  const flags = agentRunPermissionFlags({
    bundleDir: bundle,
    workspaceDir: root,
    agentCommand: command,
    denoPath: deno,
    extraEnv: opts.extraEnv,
    pathEnv: agentPath?.slice("PATH=".length),
    terminal: config.runtime?.terminal === true,
  });
  const mass = opts.mass ?? MASS_LOCATION;
  const problem = massSpawnProblem(mass);
  if (problem) throw new MassEntryError(problem);
  const args = ["run", ...flags, ...massConfigFlags(mass), mass.entry, "run", "--bundle", bundle];
  if (opts.permissions) args.push("--permissions", opts.permissions);
  if (opts.logLevel) args.push("--log-level", opts.logLevel);
  return { cmd: deno, args };
}
