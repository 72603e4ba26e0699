/**
 * Shared pieces of the run-lifecycle benchmarks: a `mass server` subprocess on a temp root,
 * run creation through ARI, and the measurements themselves.
 */
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";

const MASS = fileURLToPath(new URL("../../mass.ts", import.meta.url));
export const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));

export interface ServerProcess {
  root: string;
  child: Deno.ChildProcess;
  client: AriClient;
  /** Wall time from spawn until system/info reported recovery complete. */
  readyMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startServer(root: string): Promise<ServerProcess> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MASS, "server", "--root", root],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const client = await AriClient.connect(`${root}/mass.sock`, {
        connectTimeoutMs: 500,
        requestTimeoutMs: 120_000,
      });
      const info = await client.systemInfo().catch(() => undefined);
      if (info?.recovery.phase === "complete") {
        return { root, child, client, readyMs: performance.now() - t0 };
      }
      client.close();
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  throw new Error("mass server did not come up");
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
  while ((await client.workspaceGet("ws")).status.phase !== "ready") await sleep(10);
  await client.agentCreate({
    metadata: { name: "test" },
    spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
  });
}

export async function waitIdle(client: AriClient, key: RunKey, pollMs = 5): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const r = await client.agentrunGet(key);
    if (r.status.phase === "idle") return;
    if (r.status.phase === "error" || r.status.phase === "stopped") {
      throw new Error(`${key.name}: ${r.status.phase} ${r.status.errorMessage ?? ""}`);
    }
    await sleep(pollMs);
  }
  throw new Error(`${key.name} did not become idle`);
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
    try {
      server.child.kill("SIGKILL");
    } catch {
      // gone
    }
    await server.child.status;
  }
  for (const pid of pids) {
    try {
      Deno.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
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
