/**
 * Run-lifecycle benchmark numbers as JSON (deno run -A tests/bench/runs_bench_json.ts [N]):
 * create→idle of the demo agent through ARI (p50/p90), recovery of N live runs after kill -9
 * of agentd (default 50), agentd RSS with N runs. The targets are checked, as ratios against
 * the floor, by `deno task bench` (compare/main.ts).
 */
import {
  createToIdle,
  percentile,
  recoveryMs,
  rssMiB,
  runPids,
  type ServerProcess,
  setupWorkspace,
  startServer,
  stopAndDelete,
  teardown,
  waitIdle,
} from "./runs_bench_lib.ts";

const runs = Number(Deno.args[0] ?? 50);
const samples = Number(Deno.args[1] ?? 15);
const root = await Deno.makeTempDir({ prefix: "mb", dir: "/tmp" });
let server: ServerProcess | undefined;
let pids: number[] = [];
try {
  server = await startServer(root);
  await setupWorkspace(server.client);

  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    times.push(await createToIdle(server.client, `demo-${i}`, "demo"));
    await stopAndDelete(server.client, { workspace: "ws", name: `demo-${i}` });
  }

  const names = Array.from({ length: runs }, (_, i) => `r${i}`);
  const tCreate = performance.now();
  for (const name of names) {
    await server.client.agentrunCreate({
      metadata: { workspace: "ws", name },
      spec: { agent: "test" },
    });
  }
  for (const name of names) await waitIdle(server.client, { workspace: "ws", name }, 50);
  const allIdleMs = performance.now() - tCreate;
  pids = await runPids(server.client);
  await new Promise((r) => setTimeout(r, 1_000));
  const rss = rssMiB(server.child.pid);

  server.client.close();
  server.child.kill("SIGKILL");
  await server.child.status;
  server = await startServer(root);
  const recovered = await recoveryMs(server.client);
  const list = (await server.client.agentrunList()).items;
  const attached = list.filter((r) => r.status.phase === "idle").length;
  const rssAfter = rssMiB(server.child.pid);

  for (const name of names) await server.client.agentrunStop({ workspace: "ws", name });

  console.log(JSON.stringify(
    {
      createToIdleDemo: {
        samples,
        p50Ms: Math.round(percentile(times, 50)),
        p90Ms: Math.round(percentile(times, 90)),
        minMs: Math.round(Math.min(...times)),
      },
      recovery: {
        runs,
        attached,
        daemonMeasuredMs: recovered,
        spawnToReadyMs: Math.round(server.readyMs),
      },
      rss: {
        runs,
        beforeKillMiB: Math.round(rss),
        afterRecoveryMiB: Math.round(rssAfter),
      },
      startAllRunsMs: Math.round(allIdleMs),
    },
    null,
    2,
  ));
} finally {
  await teardown(server, pids);
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
