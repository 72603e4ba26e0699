/** What the chaos loop reads about processes (Linux /proc). */
import { pidAlive } from "../support/process.ts";

/** The command line of `pid` with NULs as spaces, or "" when it is gone. */
export function cmdline(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** The parent pid of `pid`, or undefined when it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** True when `pid` is a live agent-run (`mass run --bundle …`). */
export function isAgentRun(pid: number | undefined): boolean {
  return pid !== undefined && pidAlive(pid) && / run .*--bundle /.test(cmdline(pid));
}

/** Live processes whose cwd is `dir` or below it (the agents of a workspace). */
export function processesUnder(dir: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cwd = Deno.readLinkSync(`/proc/${e.name}/cwd`);
      if ((cwd === dir || cwd.startsWith(`${dir}/`)) && pidAlive(Number(e.name))) {
        out.push(Number(e.name));
      }
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

/** Every live descendant of `pid` (children, their children, …), by a scan of /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const parent = parentOf(Number(e.name));
    if (parent !== undefined) children.set(parent, [...children.get(parent) ?? [], Number(e.name)]);
  }
  const out: number[] = [];
  const queue = [...children.get(pid) ?? []];
  while (queue.length) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...children.get(next) ?? []);
  }
  return out;
}

/**
 * The agent of a run: the test agent's own process below the run's recorded pid. Under the
 * sandbox that pid is the outer bwrap and the agent sits below the agent-run and an inner
 * bwrap, and state.json records no host pids, so the process tree is the one truth.
 */
export function agentPidOf(runPid: number | undefined): number | undefined {
  if (runPid === undefined || !pidAlive(runPid)) return undefined;
  return descendantsOf(runPid).find((pid) => {
    const cmd = cmdline(pid);
    return cmd.includes("test_agent") && !cmd.includes("bwrap") && !cmd.includes("--bundle");
  });
}

/** True when some ancestor of `pid` (its parent, or theirs, …) is a live agent-run. */
export function hasAgentRunAncestor(pid: number): boolean {
  for (let p = parentOf(pid), hops = 0; p !== undefined && p > 1 && hops < 16; hops++) {
    if (isAgentRun(p)) return true;
    p = parentOf(p);
  }
  return false;
}
