/**
 * A run whose agent-run died while agentd was away is marked stopped by recovery with
 * `status.lastSeq` at the log's real end, not where agentd last read.
 */
import assert from "node:assert/strict";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { killGroup, waitGone } from "../support/process.ts";
import { createIdle, logEvents, startRunsDaemon, text } from "./runs_helpers.ts";

Deno.test("recovery: a run marked stopped gets lastSeq from the log's end", async () => {
  let d = await startRunsDaemon();
  const root = d.root;
  const key = { workspace: "ws", name: "ls" };
  try {
    const run = await createIdle(d.client, key, { agent: "test", restartPolicy: "never" });
    d.client.close();
    await d.daemon.close();

    // agentd is away: the agent-run takes a turn (more events in its log), then dies.
    const peer = await dialUnix(run.status.socketPath!, { requestTimeoutMs: 30_000 });
    try {
      await peer.request(RunnerMethods.prompt, { prompt: text("say while-away") });
    } finally {
      peer.close();
    }
    killGroup(run.status.pid!);
    await waitGone(run.status.pid!, "agent-run killed");
    const logEnd = (await logEvents(run.status.bundle!)).at(-1)!.seq;
    assert.ok(logEnd > (run.status.lastSeq ?? -1), "the log grew while agentd was away");

    d = await startRunsDaemon(root);
    const after = await d.client.agentrunGet(key);
    assert.equal(after.status.phase, "stopped");
    assert.equal(after.status.lastSeq, logEnd);
  } finally {
    await d.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
