/**
 * Last-resort cleanup: kills processes that belong to the benchmark's own temp root (an
 * agent-run's command line names its bundle under the root; an agent's cwd is under it).
 * The root is a fresh temp folder, so nothing else can match.
 */
import { killGroup } from "../../support/process.ts";

/** Pids of live processes whose command line or cwd is under `root`. */
export function pidsUnder(root: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      let cwd = "";
      try {
        cwd = Deno.readLinkSync(`/proc/${e.name}/cwd`);
      } catch {
        // not ours to read
      }
      if (cmd.includes(root) || cwd === root || cwd.startsWith(`${root}/`)) {
        out.push(Number(e.name));
      }
    } catch {
      // gone
    }
  }
  return out;
}

/** SIGKILLs every process under `root` (and the groups they lead). */
export function sweep(root: string): number {
  const pids = pidsUnder(root);
  for (const pid of pids) {
    killGroup(pid);
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  return pids.length;
}
