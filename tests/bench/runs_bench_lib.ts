/**
 * Shared pieces of the run-lifecycle benchmarks: a `mass server` subprocess on a temp root,
 * run creation through ARI, and the measurements themselves.
 */
import { fileURLToPath } from "node:url";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { killChild, killGroup } from "../support/process.ts";
import { type ServerProcess as Server, spawnServer } from "../support/server.ts";
import { until } from "../support/wait.ts";

export const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));

export interface ServerProcess extends Server {
  /** Wall time from spawn until system/info reported recovery complete. */
  readyMs: number;
}

export async function startServer(root: string): Promise<ServerProcess> {
  const t0 = performance.now();
  const server = await spawnServer(root, { requestTimeoutMs: 120_000, everyMs: 5 });
  return { ...server, readyMs: performance.now() - t0 };
}

/** Recovery duration as the daemon measured it (recovery.startedAt → finishedAt). */
export async function recoveryMs(client: AriClient): Promise<number> {
  const { recovery } = await client.systemInfo();
  return Date.parse(recovery.finishedAt!) - Date.parse(recovery.startedAt!);
}

export async function setupWorkspace(client: AriClient): Promise<void> {
  await client.workspaceCreate({
    metadata: { name: "ws" },
    spec: { source: { type: "emptyDir" } },
  });
  await until(
    "workspace ready",
    async () => (await client.workspaceGet("ws")).status.phase === "ready",
    120_000,
    10,
  );
  await client.agentCreate({
    metadata: { name: "test" },
    spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
  });
}

export async function waitIdle(client: AriClient, key: RunKey, pollMs = 5): Promise<void> {
  await until(
    `${key.name} idle`,
    async () => {
      const r = await client.agentrunGet(key);
      if (r.status.phase === "error" || r.status.phase === "stopped") {
        throw new Error(`${key.name}: ${r.status.phase} ${r.status.errorMessage ?? ""}`);
      }
      return r.status.phase === "idle";
    },
    120_000,
    pollMs,
  );
}

/** agentrun/create → idle, in ms (the run is left idle). */
export async function createToIdle(client: AriClient, name: string, agent: string) {
  const key = { workspace: "ws", name };
  const t0 = performance.now();
  await client.agentrunCreate({ metadata: key, spec: { agent } });
  await waitIdle(client, key);
  return performance.now() - t0;
}

export async function stopAndDelete(client: AriClient, key: RunKey): Promise<void> {
  await client.agentrunStop(key);
  await client.agentrunDelete(key);
}

/** Resident set size of `pid` in MiB (Linux). */
export function rssMiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return kb / 1024;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Kills what a bench left: the daemon and every agent-run of the root (by process group). */
export async function teardown(server: ServerProcess | undefined, pids: number[]): Promise<void> {
  if (server) {
    server.client.close();
    killChild(server.child);
    await server.child.status;
  }
  for (const pid of pids) killGroup(pid);
}

/** Agent pids of every run (from their state.json) and agent-run pids, for teardown. */
export async function runPids(client: AriClient): Promise<number[]> {
  const out: number[] = [];
  for (const r of (await client.agentrunList()).items) {
    if (r.status.pid) out.push(r.status.pid);
    try {
      const st = JSON.parse(await Deno.readTextFile(`${r.status.bundle}/state.json`));
      if (st.pid) out.push(st.pid);
    } catch {
      // no state yet
    }
  }
  return out;
}
