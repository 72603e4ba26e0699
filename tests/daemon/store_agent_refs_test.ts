/**
 * The per-agent run counter: written with every run create/delete, checked by agent deletion
 * in its own atomic operation, rebuilt for stores that predate it.
 */
import assert from "node:assert/strict";
import { errorCode } from "../../specs/errors.ts";
import { AgentInUseError, keys as K, Store } from "../../daemon/store/mod.ts";
import { sleep } from "../support/wait.ts";
import { readyWorkspace, withStore } from "./store_helpers.ts";

const agentSpec = { command: "x" };

Deno.test("store: agent run counter follows run create/delete; delete refused while used", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    await store.createAgent({ metadata: { name: "a" }, spec: agentSpec });
    const run = (name: string) => ({ metadata: { workspace: "w", name }, spec: { agent: "a" } });
    await store.createRun(run("r1"), { requireAgent: true });
    await store.createRun(run("r2"), { requireAgent: true });
    assert.equal(await store.countAgentRuns("a"), 2);

    const err = await store.deleteAgent("a").catch((e) => e);
    assert.ok(err instanceof AgentInUseError);
    assert.equal(errorCode(err), -32001);
    assert.equal(err.count, 2);
    assert.match(err.message, /agent a is used by 2 agent run\(s\)/);
    assert.ok(await store.getAgent("a"), "still there");

    await store.deleteRun({ workspace: "w", name: "r1" });
    assert.equal(await store.countAgentRuns("a"), 1);
    await store.deleteRun({ workspace: "w", name: "r2" });
    assert.equal(await store.countAgentRuns("a"), 0);
    assert.equal(await store.deleteAgent("a"), true);
    assert.equal(await store.deleteAgent("a"), false, "absent: nothing to delete");
  });
});

Deno.test("store: createRun with requireAgent refuses a missing or disabled agent (-32602)", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    const input = { metadata: { workspace: "w", name: "r" }, spec: { agent: "a" } };
    const missing = await store.createRun(input, { requireAgent: true }).catch((e) => e);
    assert.equal(errorCode(missing), -32602);
    assert.match(missing.message, /agent a not found/);
    await store.createAgent({ metadata: { name: "a" }, spec: { ...agentSpec, disabled: true } });
    const disabled = await store.createRun(input, { requireAgent: true }).catch((e) => e);
    assert.equal(errorCode(disabled), -32602);
    assert.match(disabled.message, /agent a is disabled/);
    assert.equal(await store.countAgentRuns("a"), 0, "no count for a refused create");
    assert.equal(await store.countRuns("w"), 0);
  });
});

Deno.test("store: concurrent run create and agent delete never both succeed", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    let created = 0;
    let deleted = 0;
    for (let i = 0; i < 40; i++) {
      await store.createAgent({ metadata: { name: "a" }, spec: agentSpec });
      const create = () =>
        store.createRun(
          { metadata: { workspace: "w", name: `r${i}` }, spec: { agent: "a" } },
          { requireAgent: true },
        );
      // Either call first, the other a few ticks later, before the first has finished.
      const later = <T>(fn: () => Promise<T>) => sleep(i % 4).then(fn);
      const [c, d] = i % 2
        ? await Promise.allSettled([create(), later(() => store.deleteAgent("a"))])
        : await Promise.allSettled([later(create), store.deleteAgent("a")]);
      const createOk = c.status === "fulfilled";
      const deleteOk = d.status === "fulfilled";
      assert.notEqual(createOk, deleteOk, `round ${i}: exactly one of them succeeds`);
      if (createOk) {
        created++;
        assert.ok(await store.getAgent("a"), `round ${i}: the run's agent is kept`);
        await store.deleteRun({ workspace: "w", name: `r${i}` });
        assert.equal(await store.deleteAgent("a"), true);
      } else {
        deleted++;
        assert.equal(await store.getRun({ workspace: "w", name: `r${i}` }), undefined);
      }
      assert.equal(await store.countAgentRuns("a"), 0);
    }
    assert.equal(created + deleted, 40);
  });
});

Deno.test("store: agent run counters are built on open for a store that predates them", async () => {
  await withStore(async (store, dir) => {
    await readyWorkspace(store);
    for (const [name, agent] of [["r1", "a"], ["r2", "a"], ["r3", "b"]]) {
      await store.createRun({ metadata: { workspace: "w", name }, spec: { agent } });
    }
    store.close();
    // What an older agentd left: runs, no counters, no marker; and a stray counter.
    const kv = await Deno.openKv(`${dir}/mass.kv`);
    for (const agent of ["a", "b"]) await kv.delete(K.agentRunCountKey(agent));
    await kv.delete(K.agentRunCountsReadyKey());
    await kv.set(K.agentRunCountKey("gone"), 4);
    kv.close();

    const reopened = await Store.open(`${dir}/mass.kv`);
    try {
      assert.equal(await reopened.countAgentRuns("a"), 2);
      assert.equal(await reopened.countAgentRuns("b"), 1);
      assert.equal(await reopened.countAgentRuns("gone"), 0);
      await reopened.createAgent({ metadata: { name: "a" }, spec: agentSpec });
      await assert.rejects(reopened.deleteAgent("a"), AgentInUseError);
    } finally {
      reopened.close();
    }
  });
});
