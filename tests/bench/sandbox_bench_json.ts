/**
 * What the OS sandbox costs (deno run -A tests/bench/sandbox_bench_json.ts [SAMPLES]):
 * create→idle of the test agent and a warm prompt (`say hi` on an idle run, prompt to
 * turn_end), under spec.sandbox mode `auto` (bwrap here) and `none`, alternating in one
 * agentd so both see the same machine load. Prints medians and the difference as JSON.
 * Targets: the sandbox adds ≤ 50 ms to create→idle and nothing measurable to a warm prompt.
 */
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import {
  createToIdle,
  percentile,
  runPids,
  type ServerProcess,
  setupWorkspace,
  startServer,
  stopAndDelete,
  teardown,
  waitIdle,
} from "./runs_bench_lib.ts";

const samples = Number(Deno.args[0] ?? 10);
const PROMPTS = 5;

async function warmPrompt(client: AriClient, key: RunKey): Promise<number> {
  const t0 = performance.now();
  const acc = await client.agentrunPrompt({ ...key, prompt: [{ type: "text", text: "say hi" }] });
  for await (const ev of client.watch({ ...key, fromSeq: acc.fromSeq })) {
    if (ev.type === "turn_end") break;
  }
  const ms = performance.now() - t0;
  await waitIdle(client, key, 2);
  return ms;
}

const root = await Deno.makeTempDir({ prefix: "mb", dir: "/tmp" });
let server: ServerProcess | undefined;
let pids: number[] = [];
try {
  server = await startServer(root);
  const c = server.client;
  await setupWorkspace(c);
  const test = (await c.agentGet("test")).spec;
  await c.agentCreate({
    metadata: { name: "t-auto" },
    spec: { ...test, sandbox: { mode: "auto" } },
  });
  await c.agentCreate({
    metadata: { name: "t-none" },
    spec: { ...test, sandbox: { mode: "none" } },
  });
  const create: Record<string, number[]> = { auto: [], none: [] };
  const prompt: Record<string, number[]> = { auto: [], none: [] };
  let applied = "";
  // One unmeasured round first: caches, JIT, the daemon's bwrap probe.
  for (let i = -1; i < samples; i++) {
    for (const mode of i % 2 ? ["auto", "none"] : ["none", "auto"]) {
      const key = { workspace: "ws", name: `${mode}-${i + 1}` };
      const ms = await createToIdle(c, key.name, `t-${mode}`);
      if (mode === "auto") applied = (await c.agentrunGet(key)).status.sandbox?.mode ?? "?";
      const turns: number[] = [];
      for (let p = 0; p < PROMPTS; p++) turns.push(await warmPrompt(c, key));
      if (i >= 0) {
        create[mode].push(ms);
        prompt[mode].push(...turns.slice(1)); // the first turn of a run is not warm
      }
      await stopAndDelete(c, key);
    }
  }
  const med = (v: number[]) => Math.round(percentile(v, 50) * 10) / 10;
  pids = await runPids(c);
  console.log(JSON.stringify(
    {
      samples,
      autoApplied: applied,
      createToIdleMs: {
        auto: med(create.auto),
        none: med(create.none),
        added: Math.round((med(create.auto) - med(create.none)) * 10) / 10,
        target: "added <= 50",
      },
      warmPromptMs: {
        auto: med(prompt.auto),
        none: med(prompt.none),
        added: Math.round((med(prompt.auto) - med(prompt.none)) * 10) / 10,
        target: "added ~ 0",
      },
    },
    null,
    2,
  ));
} finally {
  await teardown(server, pids);
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
