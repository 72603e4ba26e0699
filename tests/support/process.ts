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
  // -0 or -NaN would be this test's own process group.
  if (!(pid > 1)) return;
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

function _parentPid(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** `roots` and every live process below them. */
export function withDescendants(roots: readonly number[]): number[] {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const pid of livePids((p) => !out.has(p) && out.has(_parentPid(p) ?? -1))) {
      out.add(pid);
      grew = true;
    }
  }
  return [...out];
}

/**
 * Host pids of a run's agent. Unconfined, state.json's `pid`; under the bwrap sandbox
 * state.json has none (it would be a pid of the agent-run's namespace), so: the agent's own
 * bwrap (its command line names `<bundle>/home`) and everything below it.
 */
export function agentPids(bundle: string): number[] {
  const state = JSON.parse(Deno.readTextFileSync(`${bundle}/state.json`));
  if (typeof state.pid === "number") return [state.pid];
  return withDescendants(processesWith(`${bundle}/home`));
}

/**
 * Host pid of the agent-run process (`deno … mass.ts run --bundle`) started as `pid`: `pid`
 * itself unconfined, the process below it in the bwrap sandbox (where `pid` is bwrap). To
 * kill "the agent-run" as a crash would, kill this one: bwrap then ends with it.
 */
export function agentRunProcess(pid: number): number {
  for (const p of withDescendants([pid])) {
    try {
      const argv = Deno.readTextFileSync(`/proc/${p}/cmdline`).split("\0");
      if (!argv[0].endsWith("bwrap") && argv.includes("--bundle")) return p;
    } catch {
      // gone
    }
  }
  return pid;
}
