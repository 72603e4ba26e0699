import assert from "node:assert/strict";
import { Store } from "../../daemon/store/mod.ts";
import { ErrorCode, errorCode, NotFoundError } from "../../specs/errors.ts";

Deno.test("store: cursor and records persist across close and reopen of the KV file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mstore" });
  const path = `${dir}/mass.kv`;
  const key = { workspace: "w", name: "r" };
  try {
    const s1 = await Store.open(path);
    try {
      await s1.createWorkspace({
        metadata: { name: "w" },
        spec: { source: { type: "emptyDir" } },
        status: { phase: "ready", path: "/somewhere" },
      });
      await s1.createRun({ metadata: key, spec: { agent: "a" } });
      assert.equal(await s1.getCursor(key), undefined);
      assert.equal(await s1.advanceCursor(key, 5), 5);
      assert.equal(await s1.advanceCursor(key, 41), 41);
      assert.equal(await s1.advanceCursor(key, 7), 41, "never moves backwards");
      await s1.enqueueInbox(key, { from: "x", message: [{ type: "text", text: "hi" }] });
    } finally {
      s1.close();
    }

    const s2 = await Store.open(path);
    try {
      assert.equal(await s2.getCursor(key), 41);
      assert.equal((await s2.getRun(key))?.spec.agent, "a");
      assert.equal((await s2.getWorkspace("w"))?.status.refCount, 1);
      assert.deepEqual((await s2.listInbox(key)).map((e) => e.message[0]), [{
        type: "text",
        text: "hi",
      }]);

      await s2.resetCursor(key);
      assert.equal(await s2.getCursor(key), undefined);
      await s2.advanceCursor(key, 3);

      // Deleting the run removes its cursor and inbox; a late advance cannot resurrect them.
      await s2.deleteRun(key);
      assert.equal(await s2.getCursor(key), undefined);
      assert.deepEqual(await s2.listInbox(key), []);
      const err = await s2.advanceCursor(key, 50).catch((e) => e);
      assert.ok(err instanceof NotFoundError);
      assert.equal(await s2.getCursor(key), undefined);

      // A new run of the same name starts with a fresh cursor.
      await s2.createRun({ metadata: key, spec: { agent: "b" } });
      assert.equal(await s2.getCursor(key), undefined);
    } finally {
      s2.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: cursor rejects negative or fractional seq", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mstore" });
  const store = await Store.open(`${dir}/mass.kv`);
  try {
    for (const bad of [-1, 1.5, Number.NaN]) {
      const err = await store.advanceCursor({ workspace: "w", name: "r" }, bad).catch((e) => e);
      assert.equal(errorCode(err), ErrorCode.InvalidParams);
    }
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
