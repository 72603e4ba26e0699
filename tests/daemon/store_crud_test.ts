import assert from "node:assert/strict";
import { AlreadyExistsError } from "../../daemon/store/mod.ts";
import { ConflictError, ErrorCode, errorCode, NotFoundError } from "../../specs/errors.ts";
import { EMPTY, readyWorkspace, withStore } from "./store_helpers.ts";

const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A clock that moves 1 s per call, so createdAt/updatedAt differences are visible. */
function steppingClock(): () => Date {
  let t = Date.UTC(2026, 0, 1);
  return () => new Date(t += 1000);
}

Deno.test("store: workspace create/get/list/put/delete", async () => {
  await withStore(async (store) => {
    const ws = await store.createWorkspace({
      metadata: { name: "ws1", labels: { team: "a" } },
      spec: EMPTY,
    });
    assert.deepEqual(ws.kind, "Workspace");
    assert.deepEqual(ws.status.phase, "pending");
    assert.deepEqual(ws.status.refCount, 0);
    assert.ok(RFC3339_MS.test(ws.metadata.createdAt!), ws.metadata.createdAt);
    assert.deepEqual(ws.metadata.createdAt, ws.metadata.updatedAt);

    const got = await store.getWorkspace("ws1");
    assert.deepEqual(got, ws);
    assert.deepEqual(await store.getWorkspace("nope"), undefined);

    await store.createWorkspace({ metadata: { name: "ws0" }, spec: EMPTY });
    const names = (await store.listWorkspaces()).map((w) => w.metadata.name);
    assert.deepEqual(names, ["ws0", "ws1"]);

    const put = await store.putWorkspace({
      metadata: { name: "ws1" },
      spec: { source: { type: "local", path: "/tmp" } },
      status: { phase: "ready", path: "/tmp", refCount: 99 },
    });
    assert.deepEqual(put.spec.source.type, "local");
    assert.deepEqual(put.status.refCount, 0, "refCount is derived, never taken from input");

    assert.deepEqual(await store.deleteWorkspaceIfNoRuns("ws1"), true);
    assert.deepEqual(await store.deleteWorkspaceIfNoRuns("ws1"), false);
    assert.deepEqual(await store.getWorkspace("ws1"), undefined);
  });
});

Deno.test("store: createdAt kept and updatedAt bumped on every write", async () => {
  await withStore(async (store) => {
    const a = await store.createAgent({
      metadata: { name: "demo", createdAt: "1999-01-01T00:00:00.000Z" },
      spec: { command: "x" },
    });
    assert.ok(a.metadata.createdAt !== "1999-01-01T00:00:00.000Z", "server stamps createdAt");
    const b = await store.replaceAgent({ metadata: { name: "demo" }, spec: { command: "y" } });
    assert.deepEqual(b.metadata.createdAt, a.metadata.createdAt);
    assert.ok(b.metadata.updatedAt! > a.metadata.updatedAt!);
    assert.deepEqual(b.spec, { command: "y" }, "replace is a full replace");
    const c = await store.updateAgent("demo", (x) => {
      x.spec.disabled = true;
    });
    assert.deepEqual(c.metadata.createdAt, a.metadata.createdAt);
    assert.ok(c.metadata.updatedAt! > b.metadata.updatedAt!);

    await store.createWorkspace({ metadata: { name: "w" }, spec: EMPTY });
    const w1 = await store.getWorkspace("w");
    const w2 = await store.updateWorkspace("w", (w) => {
      w.status.phase = "ready";
    });
    assert.deepEqual(w2.metadata.createdAt, w1!.metadata.createdAt);
    assert.ok(w2.metadata.updatedAt! > w1!.metadata.updatedAt!);
  }, { now: steppingClock() });
});

Deno.test("store: duplicate create fails with typed errors and original codes", async () => {
  await withStore(async (store) => {
    await store.createWorkspace({ metadata: { name: "w" }, spec: EMPTY });
    const e1 = await store.createWorkspace({ metadata: { name: "w" }, spec: EMPTY }).catch((e) =>
      e
    );
    assert.ok(e1 instanceof AlreadyExistsError);
    assert.deepEqual(e1.code, ErrorCode.InvalidParams);
    assert.deepEqual(e1.message, "workspace w already exists");

    await store.createAgent({ metadata: { name: "a" }, spec: { command: "x" } });
    const e2 = await store.createAgent({ metadata: { name: "a" }, spec: { command: "z" } })
      .catch((e) => e);
    assert.ok(e2 instanceof AlreadyExistsError);
    assert.deepEqual(e2.code, ErrorCode.InvalidParams);
    assert.deepEqual((await store.getAgent("a"))?.spec.command, "x", "loser did not overwrite");
    assert.deepEqual(
      await store.createAgentIfAbsent({ metadata: { name: "a" }, spec: { command: "q" } }),
      false,
    );

    await store.updateWorkspace("w", (w) => {
      w.status.phase = "ready";
    });
    await store.createRun({ metadata: { workspace: "w", name: "r" }, spec: { agent: "a" } });
    const e3 = await store.createRun({
      metadata: { workspace: "w", name: "r" },
      spec: { agent: "a" },
    })
      .catch((e) => e);
    assert.ok(e3 instanceof AlreadyExistsError);
    assert.deepEqual(e3.code, ErrorCode.Conflict);
    assert.deepEqual(e3.message, "agentrun w/r already exists");
  });
});

Deno.test("store: concurrent duplicate creates: exactly one wins", async () => {
  await withStore(async (store) => {
    const results = await Promise.allSettled(
      Array.from(
        { length: 8 },
        (_, i) => store.createAgent({ metadata: { name: "same" }, spec: { command: `c${i}` } }),
      ),
    );
    assert.deepEqual(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.ok(r.reason instanceof AlreadyExistsError);
    }
  });
});

Deno.test("store: agentrun create needs an existing, ready workspace", async () => {
  await withStore(async (store) => {
    const run = { metadata: { workspace: "w", name: "r" }, spec: { agent: "a" } };
    const missing = await store.createRun(run).catch((e) => e);
    assert.ok(missing instanceof NotFoundError);
    assert.deepEqual(missing.message, "workspace w not found");

    await store.createWorkspace({ metadata: { name: "w" }, spec: EMPTY });
    const pending = await store.createRun(run).catch((e) => e);
    assert.ok(pending instanceof ConflictError);
    assert.deepEqual(pending.message, "workspace w is not ready (phase=pending)");

    const r = await store.createRun(run, { requireReadyWorkspace: false });
    assert.deepEqual(r.status, { phase: "creating" });
    assert.deepEqual(r.kind, "AgentRun");
    assert.deepEqual((await store.getWorkspace("w"))?.status.refCount, 1);
    assert.deepEqual(await store.countRuns("w"), 1);
  });
});

Deno.test("store: agentrun get/list/update/delete, sorted by workspace then name", async () => {
  await withStore(async (store) => {
    for (const ws of ["wb", "wa"]) {
      await readyWorkspace(store, ws);
      for (const name of ["z", "m", "a"]) {
        await store.createRun({ metadata: { workspace: ws, name }, spec: { agent: "demo" } });
      }
    }
    const all = await store.listRuns();
    assert.deepEqual(
      all.map((r) => `${r.metadata.workspace}/${r.metadata.name}`),
      ["wa/a", "wa/m", "wa/z", "wb/a", "wb/m", "wb/z"],
    );
    assert.deepEqual((await store.listRuns({ workspace: "wb" })).length, 3);
    assert.deepEqual((await store.getWorkspace("wa"))?.status.refCount, 3);
    assert.deepEqual(
      (await store.listWorkspaces()).map((w) => w.status.refCount),
      [3, 3],
    );

    const key = { workspace: "wa", name: "m" };
    const u = await store.updateRun(key, (r) => ({
      ...r,
      metadata: { ...r.metadata, name: "hijack", workspace: "other" },
      status: { phase: "idle", pid: 42 },
    }));
    assert.deepEqual(u.metadata.name, "m", "key fields cannot be changed by a mutator");
    assert.deepEqual(u.metadata.workspace, "wa");
    assert.deepEqual((await store.getRun(key))?.status, { phase: "idle", pid: 42 });
    assert.deepEqual(await store.getRun({ workspace: "wa", name: "hijack" }), undefined);

    assert.deepEqual(await store.deleteRun(key), true);
    assert.deepEqual(await store.deleteRun(key), false);
    assert.deepEqual(await store.getRun(key), undefined);
    assert.deepEqual(await store.countRuns("wa"), 2);

    const gone = await store.updateRun(key, () => {}).catch((e) => e);
    assert.ok(gone instanceof NotFoundError);
    assert.deepEqual(gone.message, "agent wa/m not found");
  });
});

Deno.test("store: deleteRun with expected phases refuses a live run", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    const key = { workspace: "w", name: "r" };
    await store.createRun({
      ...{ metadata: key },
      spec: { agent: "a" },
      status: { phase: "idle" },
    });
    const err = await store.deleteRun(key, { expectedPhases: ["stopped", "error"] }).catch((e) =>
      e
    );
    assert.deepEqual(errorCode(err), ErrorCode.Conflict);
    assert.deepEqual(err.actualPhase, "idle");
    assert.ok(await store.getRun(key));
    await store.casRun(key, ["idle"], (r) => {
      r.status = { phase: "stopped" };
    });
    assert.deepEqual(await store.deleteRun(key, { expectedPhases: ["stopped", "error"] }), true);
  });
});

Deno.test("store: hostile names are rejected with -32602 before any key is built", async () => {
  await withStore(async (store) => {
    for (const bad of ["..", "a/b", "A", "a\u0000b", "x".repeat(300), "", "-a"]) {
      await assert.rejects(() => store.getWorkspace(bad), (e: unknown) => errorCode(e) === -32602);
      await assert.rejects(
        () => store.createWorkspace({ metadata: { name: bad }, spec: EMPTY }),
        (e: unknown) => errorCode(e) === -32602,
      );
      await assert.rejects(
        () => store.createRun({ metadata: { workspace: "w", name: bad }, spec: { agent: "a" } }),
        (e: unknown) => errorCode(e) === -32602,
      );
    }
    assert.deepEqual(await store.listWorkspaces(), []);
  });
});

Deno.test("store: values over 64 KiB are rejected with -32602, nothing written", async () => {
  await withStore(async (store) => {
    await readyWorkspace(store);
    const big = "x".repeat(70 * 1024);
    const err = await store.createRun({
      metadata: { workspace: "w", name: "r" },
      spec: { agent: "a", systemPrompt: big },
    }).catch((e) => e);
    assert.deepEqual(errorCode(err), ErrorCode.InvalidParams);
    assert.ok(/too large/.test(err.message), err.message);
    assert.deepEqual(await store.getRun({ workspace: "w", name: "r" }), undefined);
    assert.deepEqual(await store.countRuns("w"), 0, "counter untouched by the failed create");

    const err2 = await store.createAgent({ metadata: { name: "a" }, spec: { command: big } })
      .catch((e) => e);
    assert.deepEqual(errorCode(err2), ErrorCode.InvalidParams);
    assert.deepEqual(await store.getAgent("a"), undefined);
  });
});
