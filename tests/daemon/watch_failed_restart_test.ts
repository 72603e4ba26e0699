/**
 * A watch open on a stopped run sees every event the log gets, also those of a restart that
 * fails before its agent-run ever goes live.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { deadline, until } from "../support/wait.ts";
import { collect, createIdle, logEvents, withRunsDaemon } from "./runs_helpers.ts";

const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));

function agent(flags: string[]) {
  return {
    metadata: { name: "flaky" },
    spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT, ...flags] },
  };
}

Deno.test("an open watch on a stopped run sees the events of a restart that fails", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const key = { workspace: "ws", name: "wf" };
    await c.agentCreate(agent([]));
    await createIdle(c, key, { agent: "flaky", restartPolicy: "never" });
    await c.agentrunStop(key);
    const stopped = await c.agentrunGet(key);
    assert.equal(stopped.status.phase, "stopped");
    const from = (stopped.status.lastSeq ?? -1) + 1;

    // Opened while the run is stopped: it waits, parked.
    const open = c.watch({ ...key, fromSeq: from })[Symbol.asyncIterator]();
    try {
      const first = open.next();
      // The next start fails: the agent cannot start a session.
      await c.agentUpdate(agent(["--fail-new", "--no-load", "--no-resume"]));
      await c.agentrunRestart(key).catch(() => {});
      const failed = await until("restart failed", async () => {
        const r = await c.agentrunGet(key);
        return r.status.phase === "error" || r.status.phase === "stopped" ? r : undefined;
      }, 60_000);
      const logged = (await logEvents(failed.status.bundle!, from)).map((e) => e.seq);
      assert.ok(logged.length > 0, "the failed restart wrote events");

      // A fresh watch gets them from the files…
      const fresh = await collect(c.watch({ ...key, fromSeq: from }), (ev) => {
        return ev.seq === logged.at(-1);
      });
      assert.deepEqual(fresh.map((e) => e.seq), logged);

      // …and so does the watch that was open all along.
      const seen = [];
      const what = "the open watch to see the failed restart";
      let next = await deadline(first, 30_000, what);
      for (;;) {
        assert.ok(!next.done, "the open watch ended");
        seen.push(next.value.seq);
        if (next.value.seq === logged.at(-1)) break;
        next = await deadline(open.next(), 30_000, what);
      }
      assert.deepEqual(seen, logged);
    } finally {
      // Not awaited: a watch that never delivered still has its next() pending.
      open.return?.().catch(() => {});
    }
  });
});
