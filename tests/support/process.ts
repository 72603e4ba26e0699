/**
 * Processes in tests (Linux /proc): is a pid alive, which processes match, and signals that
 * tolerate a process already gone. Tests signal only processes they started.
 */
import { until } from "./wait.ts";

/** True while `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive; throws after `ms`. */
export async function waitGone(
  pids: number | readonly number[],
  what: string,
  ms = 10_000,
): Promise<void> {
  const all = typeof pids === "number" ? [pids] : pids;
  await until(what, () => !all.some(pidAlive), ms);
}

/** Pids of live processes for which `match(pid)` holds; unreadable entries are skipped. */
function livePids(match: (pid: number) => boolean): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const pid = Number(e.name);
    try {
      if (match(pid) && pidAlive(pid)) out.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Pids of live processes whose command line contains `needle`. */
export function processesWith(needle: string): number[] {
  return livePids((pid) => Deno.readTextFileSync(`/proc/${pid}/cmdline`).includes(needle));
}

/** Pids of live processes whose working directory is `dir` (the agents of a workspace). */
export function processesIn(dir: string): number[] {
  const real = Deno.realPathSync(dir);
  return livePids((pid) => Deno.readLinkSync(`/proc/${pid}/cwd`) === real);
}

/** Signals the process group led by `pid`; a group that is already gone is fine. */
export function killGroup(pid: number, signal: Deno.Signal = "SIGKILL"): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Signals `child`; one that has already exited is fine. */
export function killChild(child: Deno.ChildProcess, signal: Deno.Signal = "SIGKILL"): void {
  try {
    child.kill(signal);
  } catch {
    // already exited
  }
}
