/**
 * Setup shared by the ARI benchmarks: a real `mass server` subprocess on a temp root (so
 * client and daemon use separate threads, as in production), one emptyDir workspace and one
 * idle AgentRun of the built-in demo agent to read with `agentrun/get`.
 */
import { recoveredClient } from "../support/server.ts";
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { killChild, killGroup } from "../support/process.ts";
import { until } from "../support/wait.ts";

const MASS_TS = fileURLToPath(new URL("../../mass.ts", import.meta.url));

export interface BenchDaemon {
  root: string;
  socket: string;
  key: RunKey;
  /** Synchronous, so it can run from an `unload` listener. */
  killSync(): void;
  /** Stops the run, the daemon, and removes the root. */
  close(): Promise<void>;
}

export async function startBenchDaemon(): Promise<BenchDaemon> {
  const root = await Deno.makeTempDir({ prefix: "mb" });
  const socket = `${root}/mass.sock`;
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MASS_TS, "server", "--root", root, "--log-level", "warn"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const client = await until("daemon recovered", () => recoveredClient(socket, 60_000), 60_000, 50);
  const key = { workspace: "bench", name: "reader" };
  let runPid: number | undefined;
  try {
    await client.workspaceCreate({
      metadata: { name: key.workspace },
      spec: { source: { type: "emptyDir" } },
    });
    await until(
      "workspace",
      async () => (await client.workspaceGet(key.workspace)).status.phase === "ready",
      60_000,
      50,
    );
    await client.agentrunCreate({
      metadata: { workspace: key.workspace, name: key.name },
      spec: { agent: "demo" },
    });
    runPid = await until(
      "idle run",
      async () => {
        const r = await client.agentrunGet(key);
        if (r.status.phase === "error") throw new Error(r.status.errorMessage);
        return r.status.phase === "idle" ? r.status.pid : undefined;
      },
      60_000,
      50,
    );
  } finally {
    client.close();
  }
  const killSync = () => {
    if (runPid) killGroup(runPid);
    killChild(server);
  };
  return {
    root,
    socket,
    key,
    killSync,
    async close() {
      const c = await AriClient.connect(socket);
      await c.agentrunStop(key).catch(() => {});
      c.close();
      server.kill("SIGTERM");
      await server.status;
      killSync();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** Opens `n` client connections. */
export function connectMany(socket: string, n: number): Promise<AriClient[]> {
  return Promise.all(Array.from({ length: n }, () => AriClient.connect(socket)));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
