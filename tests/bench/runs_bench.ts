/**
 * Run lifecycle through a real `mass server`: agentrun/create → idle with the demo agent
 * and recovery of 50 live runs after kill -9 of agentd (wall time from spawning the new
 * agentd until recovery is complete). RSS and the daemon's own recovery timing:
 * runs_bench_json.ts; targets, as ratios against the floor: `deno task bench`.
 */
import {
  createToIdle,
  runPids,
  type ServerProcess,
  setupWorkspace,
  startServer,
  stopAndDelete,
  waitIdle,
} from "./runs_bench_lib.ts";

const RECOVERY_RUNS = 50;
const root = await Deno.makeTempDir({ prefix: "mb", dir: "/tmp" });
let server: ServerProcess = await startServer(root);
await setupWorkspace(server.client);
const pids = new Set<number>();

// deno bench has no teardown hook: kill the daemon and every agent-run when the process ends.
globalThis.addEventListener("unload", () => {
  try {
    server.child.kill("SIGKILL");
  } catch {
    // gone
  }
  for (const pid of pids) {
    try {
      Deno.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  try {
    Deno.removeSync(root, { recursive: true });
  } catch {
    // best effort
  }
});

let n = 0;
Deno.bench("agentrun create → idle (demo agent, ARI)", { n: 10, warmup: 1 }, async (b) => {
  const name = `demo-${n++}`;
  b.start();
  await createToIdle(server.client, name, "demo");
  b.end();
  for (const pid of await runPids(server.client)) pids.add(pid);
  await stopAndDelete(server.client, { workspace: "ws", name });
});

let recoveryReady = false;
Deno.bench(
  `recovery of ${RECOVERY_RUNS} live runs after kill -9 of agentd`,
  { n: 3, warmup: 1 },
  async (b) => {
    if (!recoveryReady) {
      for (let i = 0; i < RECOVERY_RUNS; i++) {
        await server.client.agentrunCreate({
          metadata: { workspace: "ws", name: `r${i}` },
          spec: { agent: "test" },
        });
      }
      for (let i = 0; i < RECOVERY_RUNS; i++) {
        await waitIdle(server.client, { workspace: "ws", name: `r${i}` }, 50);
      }
      for (const pid of await runPids(server.client)) pids.add(pid);
      recoveryReady = true;
    }
    server.client.close();
    server.child.kill("SIGKILL");
    await server.child.status;
    b.start();
    server = await startServer(root);
    b.end();
  },
);
