import assert from "node:assert/strict";
import { PhaseConflictError } from "../../daemon/store/mod.ts";
import type { AgentRun } from "../../specs/ari.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";
import { withRun } from "./store_helpers.ts";

const text = (t: string) => [{ type: "text", text: t }];
const toRunning = (r: AgentRun) => {
  r.status.phase = "running";
};

Deno.test("inbox: FIFO, increasing seqNo, ack removes one", async () => {
  await withRun("running", async (store, key) => {
    const e1 = await store.enqueueInbox(key, { from: "a", message: text("1"), needsReply: true });
    const e2 = await store.enqueueInbox(key, { from: "b", message: text("2") });
    assert.equal(e1.seqNo, 1);
    assert.equal(e2.seqNo, 2);
    assert.equal(e1.needsReply, true);
    assert.deepEqual((await store.listInbox(key)).map((e) => e.from), ["a", "b"]);
    assert.deepEqual((await store.listInbox(key, { limit: 1 })).map((e) => e.seqNo), [1]);
    assert.equal(await store.ackInbox(key, 1), true);
    assert.equal(await store.ackInbox(key, 1), false);
    const e3 = await store.enqueueInbox(key, { from: "c", message: text("3") });
    assert.equal(e3.seqNo, 3, "seqNo never reused");
    assert.deepEqual((await store.listInbox(key)).map((e) => e.seqNo), [2, 3]);
  });
});

Deno.test("inbox: takeInbox dequeues the oldest and reserves the run atomically", async () => {
  await withRun("running", async (store, key) => {
    assert.equal(await store.takeInbox(key, ["idle"], toRunning), undefined, "empty inbox");
    await store.enqueueInbox(key, { from: "a", message: text("1") });
    await store.enqueueInbox(key, { from: "b", message: text("2") });
    const busy = await store.takeInbox(key, ["idle"], toRunning).catch((e) => e);
    assert.ok(busy instanceof PhaseConflictError);
    assert.equal((await store.listInbox(key)).length, 2, "nothing taken while busy");

    await store.updateRun(key, (r) => {
      r.status.phase = "idle";
    });
    // Two concurrent drains: exactly one delivery, the other finds the run running.
    const results = await Promise.allSettled([
      store.takeInbox(key, ["idle"], toRunning),
      store.takeInbox(key, ["idle"], toRunning),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    assert.equal(ok.length, 1);
    const taken = (ok[0] as PromiseFulfilledResult<{ entry: { from: string } } | undefined>).value;
    assert.equal(taken?.entry.from, "a");
    assert.equal((await store.getRun(key))?.status.phase, "running");
    assert.deepEqual((await store.listInbox(key)).map((e) => e.from), ["b"]);
  });
});

Deno.test("inbox: reserveOrEnqueue reserves an idle run, queues for a busy one", async () => {
  await withRun("idle", async (store, key) => {
    const r1 = await store.reserveOrEnqueue(key, { from: "x", message: text("now") }, {
      reserve: toRunning,
    });
    assert.equal(r1.reserved, true);
    assert.equal(r1.run.status.phase, "running");
    assert.deepEqual(r1.reserved && r1.deliver.message, text("now"));
    assert.deepEqual(await store.listInbox(key), []);

    const r2 = await store.reserveOrEnqueue(key, { from: "y", message: text("later") }, {
      reserve: toRunning,
    });
    assert.equal(r2.reserved, false);
    assert.equal(!r2.reserved && r2.queued.seqNo, 1);

    // Idle with a waiting message: the new one queues behind, the oldest is delivered.
    await store.updateRun(key, (r) => {
      r.status.phase = "idle";
    });
    const r3 = await store.reserveOrEnqueue(key, { from: "z", message: text("third") }, {
      reserve: toRunning,
    });
    assert.equal(r3.reserved, true);
    if (r3.reserved) {
      assert.equal((r3.deliver as { from: string }).from, "y");
      assert.equal(r3.queued?.from, "z");
    }
    assert.deepEqual((await store.listInbox(key)).map((e) => e.from), ["z"]);

    await store.updateRun(key, (r) => {
      r.status.phase = "stopped";
    });
    const err = await store.reserveOrEnqueue(key, { from: "q", message: text("x") }, {
      reserve: toRunning,
      message: (p) => `target agent not in idle phase: ${p}`,
    }).catch((e) => e);
    assert.equal(errorCode(err), ErrorCode.Conflict);
    assert.equal(err.message, "target agent not in idle phase: stopped");
  });
});

Deno.test("inbox: concurrent sends to an idle run: one reserved, the rest queued in order", async () => {
  await withRun("idle", async (store, key) => {
    const results = await Promise.all(
      Array.from(
        { length: 6 },
        (_, i) =>
          store.reserveOrEnqueue(key, { from: `s${i}`, message: text(String(i)) }, {
            reserve: toRunning,
          }),
      ),
    );
    assert.equal(results.filter((r) => r.reserved).length, 1);
    const queued = results.filter((r) => !r.reserved).length;
    assert.equal((await store.listInbox(key)).length, queued);
    const seqs = (await store.listInbox(key)).map((e) => e.seqNo);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  });
});

Deno.test("inbox: enqueue for a missing run is -32602; an oversized message -32602", async () => {
  await withRun("running", async (store, key) => {
    const err = await store.enqueueInbox({ workspace: "w", name: "ghost" }, {
      from: "a",
      message: text("x"),
    }).catch((e) => e);
    assert.equal(errorCode(err), ErrorCode.InvalidParams);
    const big = await store.enqueueInbox(key, { from: "a", message: text("x".repeat(70_000)) })
      .catch((e) => e);
    assert.equal(errorCode(big), ErrorCode.InvalidParams);
    assert.deepEqual(await store.listInbox(key), []);
  });
});
