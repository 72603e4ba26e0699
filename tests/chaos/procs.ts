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

/** The agent pid an agent-run recorded in its state.json, if any. */
export function agentPidOf(bundle: string | undefined): number | undefined {
  if (!bundle) return undefined;
  try {
    const pid = JSON.parse(Deno.readTextFileSync(`${bundle}/state.json`)).pid;
    return typeof pid === "number" ? pid : undefined;
  } catch {
    return undefined;
  }
}
