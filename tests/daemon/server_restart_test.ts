/**
 * Daemon shutdown leaves agent-runs running; the next daemon on the same root recovers them
 * after it starts listening, and the run keeps working.
 */
import assert from "node:assert/strict";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { startDaemon } from "../../daemon/main.ts";
import { killGroup, pidAlive } from "../support/process.ts";
import { until } from "../support/wait.ts";
import { setupTestAgent, tempRoot } from "./ari_helpers.ts";

const key = { workspace: "w", name: "r" };

Deno.test("agent-runs outlive a daemon shutdown and are recovered by the next daemon", async () => {
  const root = await tempRoot();
  let pid: number | undefined;
  let d = await startDaemon({ root, seedBuiltins: false });
  let c = await AriClient.connect(d.paths.socket);
  try {
    await d.recovered;
    await setupTestAgent(c);
    await c.agentrunCreate({ metadata: key, spec: { agent: "t" } });
    pid = await until("idle run", async () => {
      const r = await c.agentrunGet(key);
      return r.status.phase === "idle" ? r.status.pid : undefined;
    }, 60_000);

    c.close();
    await d.close();
    assert.ok(pid && pidAlive(pid), "the agent-run survived the daemon's shutdown");

    d = await startDaemon({ root, seedBuiltins: false });
    c = await AriClient.connect(d.paths.socket);
    await d.recovered;
    assert.equal((await c.systemInfo()).recovery.phase, "complete");
    const run = await c.agentrunGet(key);
    assert.equal(run.status.phase, "idle");
    assert.equal(run.status.pid, pid, "re-attached to the same agent-run");
    const accepted = await c.agentrunPrompt({
      ...key,
      prompt: [{ type: "text", text: "say again" }],
    });
    assert.equal(accepted.accepted, true);
    await until(
      "turn end",
      async () => (await c.agentrunGet(key)).status.phase === "idle" || undefined,
    );
  } finally {
    await c.agentrunStop(key).catch(() => {});
    c.close();
    await d.close();
    if (pid) killGroup(pid);
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
