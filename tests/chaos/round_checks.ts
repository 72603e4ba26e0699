/**
 * The invariants the chaos loop checks after each round, each returning the violations it
 * found (empty = fine).
 */
import type { AgentRun, AriClient, RestartPolicy } from "../../mod.ts";
import { pidAlive } from "../support/process.ts";
import { deadline, sleep } from "../support/wait.ts";
import { agentPidOf, cmdline, hasAgentRunAncestor, isAgentRun, processesUnder } from "./procs.ts";
import type { SeqWatcher } from "./seq_watcher.ts";

/** How a run looked when the round's kill happened. */
export interface Before {
  phase: string;
  restartCount: number;
  /** Its agent-run or agent was killed this round. */
  hit: boolean;
}

/** Phase against reality (live pids) and against the restart policy. */
export function phaseViolations(
  runs: AgentRun[],
  policies: Map<string, RestartPolicy>,
  before: Map<string, Before>,
): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const name = r.metadata.name;
    const { phase, pid, bundle } = r.status;
    const agentPid = agentPidOf(pid);
    if (phase === "idle") {
      if (!isAgentRun(pid)) out.push(`${name}: idle but agent-run ${pid} is not alive`);
      if (!agentPid || !pidAlive(agentPid)) {
        out.push(`${name}: idle but agent ${agentPid} is not alive`);
      }
    }
    if (phase === "stopped" || phase === "error") {
      const live = _agentRunsOf(bundle);
      if (live.length) out.push(`${name}: ${phase} but agent-run ${live.join(",")} is alive`);
      if (agentPid && pidAlive(agentPid) && cmdline(agentPid).includes("test_agent")) {
        out.push(`${name}: ${phase} but its agent ${agentPid} is alive`);
      }
    }
    const b = before.get(name);
    if (!b || (b.phase !== "idle" && b.phase !== "running")) continue;
    const policy = policies.get(name) ?? "never";
    if (b.hit && policy !== "never") {
      if (phase !== "restarting" && phase !== "idle") {
        out.push(`${name}: killed with restartPolicy ${policy}, now ${phase} (expected a restart)`);
      } else if ((r.status.restartCount ?? 0) <= b.restartCount) {
        out.push(`${name}: killed with restartPolicy ${policy}, restartCount did not grow`);
      }
    }
    if (b.hit && policy === "never" && phase !== "stopped") {
      out.push(`${name}: killed with restartPolicy never, now ${phase} (expected stopped)`);
    }
    if (!b.hit && phase !== "idle") {
      out.push(`${name}: not killed, was ${b.phase}, now ${phase} (expected idle)`);
    }
  }
  return out;
}

/** Every agent process under `workspaceDir` has a live agent-run above it (3 s grace). */
export async function orphanViolations(workspaceDir: string): Promise<string[]> {
  let orphans: number[] = [];
  for (let i = 0; i < 30; i++) {
    orphans = processesUnder(workspaceDir).filter((pid) => !hasAgentRunAncestor(pid));
    if (orphans.length === 0) return [];
    await sleep(100);
  }
  return orphans.map((pid) =>
    `agent process ${pid} (${cmdline(pid).slice(0, 80)}) has no live agent-run above it`
  );
}

/** Each watcher caught up with its run's lastSeq (≤ 5 s) and saw every seq exactly once. */
export async function watcherViolations(
  runs: AgentRun[],
  watchers: SeqWatcher[],
): Promise<string[]> {
  const out: string[] = [];
  for (const w of watchers) {
    const run = runs.find((r) => r.metadata.name === w.key.name);
    const last = run?.status.lastSeq ?? -1;
    const end = Date.now() + 5_000;
    while (w.next <= last && Date.now() < end) await sleep(50);
    if (w.next <= last) out.push(`${w.key.name}: watcher at seq ${w.next - 1}, run at ${last}`);
    out.push(...w.problems.splice(0));
  }
  return out;
}

/** agentd answers system/info within 2 s. */
export async function answerViolations(client: AriClient): Promise<string[]> {
  try {
    await deadline(client.systemInfo(), 2_000, "system/info");
    return [];
  } catch (err) {
    return [`agentd did not answer within 2 s: ${err instanceof Error ? err.message : err}`];
  }
}

/** The KV store (agentd down) opens and lists cleanly. */
export async function kvViolations(path: string): Promise<string[]> {
  try {
    const kv = await Deno.openKv(path);
    try {
      let n = 0;
      for await (const _ of kv.list({ prefix: [] }, { limit: 100 })) n++;
      return n > 0 ? [] : [`KV ${path} is empty after a kill`];
    } finally {
      kv.close();
    }
  } catch (err) {
    return [`KV did not open: ${err instanceof Error ? err.message : err}`];
  }
}

function _agentRunsOf(bundle: string | undefined): number[] {
  if (!bundle) return [];
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const pid = Number(e.name);
    if (cmdline(pid).includes(`--bundle ${bundle}`) && pidAlive(pid)) out.push(pid);
  }
  return out;
}
