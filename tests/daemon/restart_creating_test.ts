/**
 * Runs that are still `creating` survive agentd going away (`mass daemon stop` / `restart`
 * close agentd the same way): the agent-run being bootstrapped is re-attached by recovery,
 * and a run whose agent-run had not started yet is started then. Neither ends `stopped`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { pidAlive } from "../support/process.ts";
import { until } from "../support/wait.ts";
import { ariRun, startRunsDaemon, waitPhase } from "./runs_helpers.ts";

const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));

Deno.test("agentd closing while runs are creating: they are re-attached or started again", async () => {
  let d = await startRunsDaemon();
  const root = d.root;
  const booting = { workspace: "ws", name: "booting" };
  const early = { workspace: "ws", name: "early" };
  try {
    await d.client.agentCreate({
      metadata: { name: "slow" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT, "--init-delay", "2500"] },
    });
    // Spawned and bootstrapping when agentd goes away.
    await d.client.agentrunCreate({ metadata: booting, spec: { agent: "slow" } });
    const spawned = await until("agent-run spawned", async () => {
      const r = await d.client.agentrunGet(booting);
      return r.status.pid ? r : undefined;
    });
    // Not spawned yet: agentd goes away right after the create.
    await d.client.agentrunCreate({ metadata: early, spec: { agent: "test" } });
    assert.equal((await d.client.agentrunGet(booting)).status.phase, "creating");
    d.client.close();
    await d.daemon.close();
    assert.ok(pidAlive(spawned.status.pid!), "the bootstrapping agent-run outlives agentd");

    d = await startRunsDaemon(root);
    for (const key of [booting, early]) {
      const run = await waitPhase(ariRun(d.client, key), key, ["idle", "error", "stopped"]);
      assert.equal(run.status.phase, "idle", `${key.name}: ${run.status.errorMessage}`);
    }
    const again = await d.client.agentrunGet(booting);
    assert.equal(again.status.pid, spawned.status.pid, "the same agent-run, re-attached");
    for (const key of [booting, early]) await d.client.agentrunStop(key);
  } finally {
    await d.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
