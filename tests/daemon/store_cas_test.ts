import assert from "node:assert/strict";
import { PhaseConflictError } from "../../daemon/store/mod.ts";
import { ErrorCode } from "../../specs/errors.ts";
import { EMPTY, withRun } from "./store_helpers.ts";

Deno.test("store: concurrent idle→running CAS: exactly one wins, the others see the phase", async () => {
  await withRun("idle", async (store, key) => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.casRun(key, ["idle"], (r) => {
          r.status.phase = "running";
          r.status.errorMessage = `winner ${i}`;
        })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1);
    for (const r of results) {
      if (r.status !== "rejected") continue;
      assert.ok(r.reason instanceof PhaseConflictError, String(r.reason));
      assert.equal(r.reason.code, ErrorCode.Conflict);
      assert.equal(r.reason.actualPhase, "running");
      assert.deepEqual(r.reason.expected, ["idle"]);
    }
    const stored = await store.getRun(key);
    assert.equal(stored?.status.phase, "running");
    assert.equal(
      stored?.status.errorMessage,
      (won[0] as PromiseFulfilledResult<{ status: { errorMessage?: string } }>).value.status
        .errorMessage,
    );
  });
});

Deno.test("store: CAS retries through unrelated concurrent writes while the precondition holds", async () => {
  await withRun("idle", async (store, key) => {
    // Many writers bump a field without changing the phase; each CAS must still succeed
    // (conflicts are retried because the run stays idle).
    const n = 20;
    const results = await Promise.all(
      Array.from({ length: n }, () =>
        store.casRun(key, ["idle"], (r) => {
          r.status.restartCount = (r.status.restartCount ?? 0) + 1;
        })),
    );
    assert.equal(results.length, n);
    assert.equal((await store.getRun(key))?.status.restartCount, n, "no lost update");
  });
});

Deno.test("store: CAS custom conflict message and untouched record on failure", async () => {
  await withRun("idle", async (store, key) => {
    const before = await store.getRun(key);
    const err = await store.casRun(key, ["running"], (r) => {
      r.status.phase = "restarting";
    }, { message: (p) => `agent phase changed during restart: ${p}` }).catch((e) => e);
    assert.ok(err instanceof PhaseConflictError);
    assert.equal(err.message, "agent phase changed during restart: idle");
    assert.deepEqual(await store.getRun(key), before);
  });
});

Deno.test("store: a throwing mutator writes nothing", async () => {
  await withRun("idle", async (store, key) => {
    const before = await store.getRun(key);
    await assert.rejects(
      () =>
        store.casRun(key, ["idle"], (r) => {
          r.status.phase = "running";
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.deepEqual(await store.getRun(key), before);
  });
});

Deno.test("store: workspace CAS pending→ready, then a second writer loses", async () => {
  await withRun("idle", async (store) => {
    await store.createWorkspace({ metadata: { name: "p" }, spec: EMPTY });
    const [a, b] = await Promise.allSettled([
      store.casWorkspace("p", ["pending"], (w) => {
        w.status = { phase: "ready", path: "/x" };
      }),
      store.casWorkspace("p", ["pending"], (w) => {
        w.status = { phase: "error", errorMessage: "late" };
      }),
    ]);
    assert.equal([a, b].filter((r) => r.status === "fulfilled").length, 1);
    const ws = await store.getWorkspace("p");
    assert.ok(ws?.status.phase === "ready" || ws?.status.phase === "error");
  });
});

Deno.test("store: getRun never returns a value older than the last completed write", async () => {
  await withRun("idle", async (store, key) => {
    assert.equal((await store.getRun(key))?.status.phase, "idle"); // now cached
    const phases = ["running", "idle", "stopped"] as const;
    for (const phase of phases) {
      // A read racing the write may see either value; a read after it must see the new one.
      const racing = store.getRun(key);
      await store.updateRun(key, (r) => {
        r.status.phase = phase;
      });
      assert.ok((await racing) !== undefined);
      assert.equal((await store.getRun(key))?.status.phase, phase);
    }
    // Callers get copies: mutating one does not change the store's answer.
    const copy = await store.getRun(key);
    copy!.status.phase = "error";
    assert.equal((await store.getRun(key))?.status.phase, "stopped");
    await store.deleteRun(key);
    assert.equal(await store.getRun(key), undefined);
  });
});
