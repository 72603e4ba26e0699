/**
 * Starting an agent-run process and stopping its process group: the environment agentd
 * hands an agent, waiting for the agent-run's socket, and finding leftover processes.
 *
 * The agent's environment is not inherited: it is listed in config.json.
 */
import { delay } from "../../specs/lib/delay.ts";
import { type GroupSignal, signalGroupSync } from "../../runner/launch/mod.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";

/**
 * Variables of agentd's environment every agent gets (before Agent.spec.env): the basics a
 * CLI needs, no credentials. Keys, tokens, proxies and CA settings reach an agent only when
 * its definition names them (`spec.env`: a value, `valueFrom: {env}` or `fromHost: true`);
 * the built-ins name their own (daemon/agents/builtins.ts).
 */
export const AGENT_ENV_ALLOW: readonly string[] = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TERM",
  "TZ",
  "TMPDIR",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "XDG_DATA_HOME",
  "DENO_DIR",
];

/**
 * An agent-run did not come up: its socket never answered, its process exited first, or the
 * start was aborted.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/**
 * Dials `socketPath` until it answers. Fails fast when `exited` resolves first, and after
 * `timeoutMs` or when `signal` aborts.
 */
export async function waitForSocket(
  socketPath: string,
  opts: {
    timeoutMs: number;
    exited?: Promise<unknown>;
    signal?: AbortSignal;
    dial?: (path: string) => Promise<RpcPeer>;
  },
): Promise<RpcPeer> {
  const dial = opts.dial ?? ((p: string) => dialUnix(p, { connectTimeoutMs: 2_000 }));
  let gone = false;
  opts.exited?.then(() => (gone = true), () => (gone = true));
  const deadline = Date.now() + opts.timeoutMs;
  let wait = 5;
  while (true) {
    if (opts.signal?.aborted) throw new StartupError("start aborted");
    if (gone) {
      throw new StartupError(`agent-run process exited before socket appeared at ${socketPath}`);
    }
    try {
      return await dial(socketPath);
    } catch {
      // not there yet
    }
    if (Date.now() >= deadline) {
      throw new StartupError(
        `agent-run socket ${socketPath} did not appear within ${opts.timeoutMs} ms`,
      );
    }
    await delay(wait);
    wait = Math.min(wait * 2, 20);
  }
}

/**
 * Sends `signal` to process group `pgid`; a gone group is not an error, and it never throws.
 * The one implementation is the agent-run's (runner/launch/process_group.ts).
 */
export const signalGroup: (pgid: number, signal: GroupSignal) => void = signalGroupSync;

/** True when a process `pid` exists and is not a zombie (Linux /proc; else kill(0)-like probe). */
export function pidAlive(pid: number): boolean {
  if (!(pid > 1)) return false;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // "pid (comm) S ...": the state letter follows the last ')'.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
  }
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `pid` is (still) a process whose command line mentions `needle` — guards
 * against signalling an unrelated process that reused a recorded pid. Where /proc is not
 * available it answers `pidAlive(pid)`.
 */
export function pidMatches(pid: number, needle: string): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return cmdline.split("\0").some((part) => part.includes(needle));
  } catch {
    return true;
  }
}

/**
 * The live process-group leader started for the agent-run of `bundleDir`, found by its
 * command line. Needed when agentd went away between spawning an agent-run and recording
 * its pid: a sandboxed agent-run cannot report a host pid itself (it sees its own PID
 * namespace), so the process table is the only place left to learn it from.
 */
export function findAgentRunLeader(bundleDir: string): number | undefined {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const pid = Number(e.name);
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== pid) continue;
      const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
      if (argv.includes("--bundle") && argv.some((a) => a.includes(bundleDir))) return pid;
    } catch {
      // gone meanwhile, or not readable: not ours
    }
  }
  return undefined;
}

/** Resolves when `pid` is gone, polling; false when `timeoutMs` passed first. */
export async function waitPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(25);
  }
  return true;
}

/** A word of the agent's command line that identifies it (a path-like arg, else the command). */
export function agentNeedle(command: string, args: readonly string[]): string {
  return args.find((a) => a.includes("/")) ?? command;
}

/**
 * Kills the process group of a leftover agent (the agent-run starts its agent detached, so
 * killing the agent-run's group does not reach it), when `pid` still runs that agent.
 */
export async function killAgentGroup(pid: number | undefined, needle: string): Promise<void> {
  if (!pid || !pidMatches(pid, needle)) return;
  signalGroup(pid, "SIGKILL");
  await waitPidGone(pid, 1_000);
}
