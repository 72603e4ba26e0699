/**
 * A damaged line in the middle of a run's event log is reported, not silently skipped or
 * retried forever: agentd records `status.eventLogError {message, seq}` and goes on (no
 * reconnect storm), an ARI watch through the damage ends with an error naming the seq, and
 * `massctl agentrun events` exits non-zero. A torn *last* line stays silent (see
 * specs/eventlog/read_event_files_test.ts).
 */
import assert from "node:assert/strict";
import { errorCode, RpcError } from "../../specs/errors.ts";
import { segmentFileName } from "../../specs/eventlog/segments.ts";
import { massctl } from "../ctl/cli_helpers.ts";
import { sleep, until } from "../support/wait.ts";
import {
  collect,
  createIdle,
  type RunsDaemon,
  startRunsDaemon,
  text,
  turnEvents,
} from "./runs_helpers.ts";

/** Replaces the line of event `seq` with garbage of the same size (the rest untouched). */
async function damage(eventsDir: string, seq: number): Promise<void> {
  const path = `${eventsDir}/${segmentFileName(0)}`;
  const lines = (await Deno.readTextFile(path)).split("\n");
  const at = lines.findIndex((l) => l.includes(`"seq":${seq},`));
  assert.ok(at >= 0, `seq ${seq} in the log`);
  // Same length: the agent-run keeps writing to this file and knows its size.
  lines[at] = "{" + "x".repeat(new TextEncoder().encode(lines[at]).length - 1);
  await Deno.writeTextFile(path, lines.join("\n"));
}

function reconnects(root: string): number {
  const log = Deno.readTextFileSync(`${root}/logs/mass-server.log`);
  return log.split("\n").filter((l) => l.includes("agent-run reconnected")).length;
}

Deno.test("a damaged line in the middle of the log is reported, not retried forever", async () => {
  let d: RunsDaemon = await startRunsDaemon();
  const root = d.root;
  const key = { workspace: "ws", name: "cl" };
  try {
    const run = await createIdle(d.client, key);
    for (const word of ["one", "two"]) {
      const acc = await d.client.agentrunPrompt({ ...key, prompt: text(`say ${word}`) });
      await turnEvents(d.client, key, acc.fromSeq);
    }
    await until("idle", async () => (await d.client.agentrunGet(key)).status.phase === "idle");
    const eventsDir = `${run.status.bundle}/events`;
    const bad = 3;

    // An ARI watch that has to read through the damage ends with an error naming the seq.
    await damage(eventsDir, bad);
    const seen: number[] = [];
    await assert.rejects(
      collect(d.client.watch({ ...key, fromSeq: 0 }), (ev) => {
        seen.push(ev.seq);
        return false;
      }, 30_000),
      (err) => {
        assert.ok(err instanceof RpcError, String(err));
        assert.equal(errorCode(err), -32603);
        assert.match(err.message, /corrupt/);
        assert.deepEqual(err.data, { seq: bad });
        return true;
      },
    );
    assert.deepEqual(seen, [0, 1, 2]);
    const cli = await massctl(d.daemon.paths.socket, ["ar", "events", "cl", "-w", "ws"], {
      timeoutMs: 60_000,
    });
    assert.notEqual(cli.code, 0, "massctl agentrun events fails");
    assert.match(cli.stderr, /corrupt/);

    // agentd's own subscription has to read through it too: set its cursor back.
    d.client.close();
    await d.daemon.close();
    const kv = await Deno.openKv(`${root}/mass.kv`);
    await kv.set(["v1", "cursors", key.workspace, key.name], 1);
    kv.close();
    d = await startRunsDaemon(root);
    const reported = await until("eventLogError on the run", async () => {
      const r = await d.client.agentrunGet(key);
      return r.status.eventLogError ? r : undefined;
    });
    assert.equal(reported.status.eventLogError!.seq, bad);
    assert.match(reported.status.eventLogError!.message, /corrupt/);
    // No reconnect storm: it skipped the damage and stays connected.
    const before = reconnects(root);
    await sleep(1_500);
    assert.ok(reconnects(root) - before <= 1, `reconnects: ${reconnects(root) - before}`);
    // And the run still works.
    const acc = await d.client.agentrunPrompt({ ...key, prompt: text("say three") });
    const turn = await turnEvents(d.client, key, acc.fromSeq);
    assert.equal(turn.at(-1)!.type, "turn_end");
  } finally {
    await d.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
