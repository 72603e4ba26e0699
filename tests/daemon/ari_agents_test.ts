/**
 * ARI agent/*: CRUD against a real daemon, built-in seeding, and the referenced-agent guard.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { rpcError, startTestDaemon } from "./ari_helpers.ts";

const DEMO_AGENT = fileURLToPath(
  new URL("../../daemon/agents/demo/demo_agent.ts", import.meta.url),
);

Deno.test("built-in agents are seeded once and never overwrite user edits", async () => {
  const t = await startTestDaemon({ keepRoot: true });
  try {
    const names = (await t.client.agentList()).items.map((a) => a.metadata.name);
    assert.deepEqual(names, ["claude", "codex", "demo", "gsd-pi"]);
    const demo = await t.client.agentGet("demo");
    assert.equal(demo.kind, "Agent");
    assert.equal(demo.spec.command, Deno.execPath());
    assert.deepEqual(demo.spec.args, ["run", "-A", DEMO_AGENT]);
    assert.ok(!demo.spec.disabled);
    const claude = await t.client.agentGet("claude");
    assert.deepEqual(claude.spec.args, [
      "run",
      "-A",
      "npm:@agentclientprotocol/claude-agent-acp@0.101.0",
    ]);
    assert.equal((await t.client.agentGet("codex")).spec.command, "codex-acp");
    assert.equal((await t.client.agentGet("gsd-pi")).spec.disabled, true);

    await t.client.agentUpdate({
      metadata: { name: "gsd-pi" },
      spec: { command: "my-gsd", disabled: false },
    });
    await t.client.agentDelete("codex");
  } finally {
    await t.close();
  }
  const again = await startTestDaemon({ root: t.root });
  try {
    const gsd = await again.client.agentGet("gsd-pi");
    assert.equal(gsd.spec.command, "my-gsd");
    assert.equal(gsd.spec.disabled, false);
    // A deleted built-in is absent at start, so it is seeded again.
    assert.equal((await again.client.agentGet("codex")).spec.command, "codex-acp");
  } finally {
    await again.close();
  }
});

Deno.test("agent/create, get, update (createdAt kept), list, delete", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    const created = await t.client.agentCreate({
      metadata: { name: "echo", labels: { team: "a" } },
      spec: { command: "/bin/echo", args: ["hi"], env: [{ name: "K", value: "v" }] },
    });
    assert.equal(created.kind, "Agent");
    assert.ok(created.metadata.createdAt);
    assert.equal(created.metadata.createdAt, created.metadata.updatedAt);
    assert.deepEqual(await t.client.agentGet("echo"), created);

    const dup = await rpcError(() =>
      t.client.agentCreate({ metadata: { name: "echo" }, spec: { command: "x" } })
    );
    assert.deepEqual(dup, { code: -32602, message: "agent echo already exists" });

    await new Promise((r) => setTimeout(r, 5));
    const updated = await t.client.agentUpdate({
      metadata: { name: "echo" },
      spec: { command: "/bin/true" },
    });
    assert.equal(updated.metadata.createdAt, created.metadata.createdAt);
    assert.notEqual(updated.metadata.updatedAt, created.metadata.updatedAt);
    // Full replace, like the original: args and labels are gone.
    assert.equal(updated.spec.args, undefined);
    assert.equal(updated.metadata.labels, undefined);

    const missing = await rpcError(() =>
      t.client.agentUpdate({ metadata: { name: "ghost" }, spec: { command: "x" } })
    );
    assert.deepEqual(missing, { code: -32602, message: "agent ghost not found" });
    assert.deepEqual(await rpcError(() => t.client.agentGet("ghost")), {
      code: -32602,
      message: "agent ghost not found",
    });

    await t.client.agentCreate({
      metadata: { name: "other", labels: { team: "b" } },
      spec: { command: "x", disabled: true },
    });
    assert.deepEqual((await t.client.agentList()).items.map((a) => a.metadata.name), [
      "echo",
      "other",
    ]);
    // */list tolerates absent and null params.
    assert.equal((await t.client.request<{ items: unknown[] }>("agent/list")).items.length, 2);
    assert.deepEqual(
      (await t.client.agentList({ labels: { team: "b" } })).items.map((a) => a.metadata.name),
      ["other"],
    );
    assert.deepEqual(
      (await t.client.agentList({ fieldSelector: { disabled: "true" } })).items.map((a) =>
        a.metadata.name
      ),
      ["other"],
    );

    assert.equal(await t.client.agentDelete("echo"), null);
    assert.equal(await t.client.agentDelete("echo"), null, "delete of an absent agent is a no-op");
    assert.deepEqual((await t.client.agentList()).items.map((a) => a.metadata.name), ["other"]);
  } finally {
    await t.close();
  }
});

Deno.test("agent/delete is refused while an AgentRun references the agent", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    await t.client.agentCreate({ metadata: { name: "busy" }, spec: { command: "x" } });
    // A run record written straight to the store (no supervisor in this test).
    const store = t.daemon.deps.store;
    await store.createWorkspace({
      metadata: { name: "ws" },
      spec: { source: { type: "emptyDir" } },
      status: { phase: "ready", path: "/nonexistent" },
    });
    await store.createRun({ metadata: { workspace: "ws", name: "r1" }, spec: { agent: "busy" } });
    const err = await rpcError(() => t.client.agentDelete("busy"));
    assert.equal(err.code, -32001);
    assert.match(err.message, /agent busy is used by 1 agent run\(s\) \(ws\/r1\)/);
    assert.ok(await t.client.agentGet("busy"));

    await store.deleteRun({ workspace: "ws", name: "r1" });
    assert.equal(await t.client.agentDelete("busy"), null);
    assert.deepEqual((await rpcError(() => t.client.agentGet("busy"))).code, -32602);
  } finally {
    await t.close();
  }
});
