import assert from "node:assert/strict";
import { PhaseConflictError } from "../../daemon/store/mod.ts";
import { ConflictError, ErrorCode, errorCode } from "../../specs/errors.ts";
import { readyWorkspace, withStore } from "./store_helpers.ts";

Deno.test("store: workspace delete is refused while runs exist", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    await store.createRun({ metadata: { workspace: "w", name: "r1" }, spec: { agent: "a" } });
    await store.createRun({ metadata: { workspace: "w", name: "r2" }, spec: { agent: "a" } });

    const err = await store.deleteWorkspaceIfNoRuns("w").catch((e) => e);
    assert.ok(err instanceof ConflictError);
    assert.deepEqual(err.message, "workspace w has 2 agent(s) and cannot be deleted");
    const err2 = await store.beginWorkspaceDelete("w").catch((e) => e);
    assert.deepEqual(errorCode(err2), ErrorCode.Conflict);
    assert.deepEqual((await store.getWorkspace("w"))?.status.phase, "ready");

    await store.deleteRun({ workspace: "w", name: "r1" });
    await store.deleteRun({ workspace: "w", name: "r2" });
    assert.deepEqual(await store.deleteWorkspaceIfNoRuns("w"), true);
  });
});

Deno.test("store: racing run creates and workspace delete never leave a run without its workspace", async () => {
  await withStore(async (store) => {
    for (let round = 0; round < 10; round++) {
      await readyWorkspace(store);
      const ops = await Promise.allSettled([
        store.createRun({ metadata: { workspace: "w", name: "a" }, spec: { agent: "x" } }),
        store.deleteWorkspaceIfNoRuns("w"),
        store.createRun({ metadata: { workspace: "w", name: "b" }, spec: { agent: "x" } }),
      ]);
      const ws = await store.getWorkspace("w");
      const runs = await store.listRuns({ workspace: "w" });
      if (ws) {
        assert.deepEqual(ws.status.refCount, runs.length);
        assert.deepEqual(ops[1].status, "rejected", "delete must have lost");
      } else {
        assert.deepEqual(runs, [], `round ${round}: runs outlived their workspace`);
      }
      for (const r of runs) await store.deleteRun({ workspace: "w", name: r.metadata.name });
      await store.deleteWorkspaceIfNoRuns("w");
    }
  });
});

Deno.test("store: beginWorkspaceDelete blocks new runs", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    const ws = await store.beginWorkspaceDelete("w");
    assert.deepEqual(ws.status.phase, "deleting");
    const err = await store.createRun({
      metadata: { workspace: "w", name: "r" },
      spec: { agent: "a" },
    }, {
      requireReadyWorkspace: false,
    }).catch((e) => e);
    assert.deepEqual(errorCode(err), ErrorCode.Conflict);
    assert.deepEqual(err.message, "workspace w is not ready (phase=deleting)");

    const err2 = await store.beginWorkspaceDelete("w", ["ready"]).catch((e) => e);
    assert.ok(err2 instanceof PhaseConflictError);
    assert.deepEqual(err2.actualPhase, "deleting");
    assert.deepEqual(await store.deleteWorkspaceIfNoRuns("w"), true);
  });
});
