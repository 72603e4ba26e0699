import assert from "node:assert/strict";
import { AriMethods } from "../../specs/ari_methods.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { codeOf } from "../support/rpc.ts";
import { until } from "../support/wait.ts";
import {
  ariRun,
  collect,
  createIdle,
  envelope,
  logEvents,
  text,
  turnEvents,
  waitPhase,
  withRunsDaemon,
} from "./runs_helpers.ts";

const key = { workspace: "ws", name: "a" };

Deno.test("watch: a client that resumes from its last seq sees each event once", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const idle = await createIdle(c, key);
    const acc = await c.agentrunPrompt({ ...key, prompt: text("chunks 2000") });
    // First attempt: stop after 500 events; then resume from the last seq + 1.
    let n = 0;
    const part1 = await collect(c.watch({ ...key, fromSeq: acc.fromSeq }), () => ++n === 500);
    const part2 = await turnEvents(c, key, part1.at(-1)!.seq + 1);
    const got = [...part1, ...part2].map(envelope);
    const onDisk = (await logEvents(idle.status.bundle!, acc.fromSeq)).slice(0, got.length);
    assert.deepEqual(got, onDisk);
    await c.agentrunStop(key);
  });
});

Deno.test("watch: a stopped run replays from its log and the stream continues after restart", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const idle = await createIdle(c, key);
    await c.agentrunStop(key);
    const stopped = await c.agentrunGet(key);
    const lastBefore = stopped.status.lastSeq!;

    const it = c.watch({ ...key, fromSeq: 0 })[Symbol.asyncIterator]();
    const seen: AgentRunEvent[] = [];
    while (seen.length === 0 || seen.at(-1)!.seq < lastBefore) {
      const next = await it.next();
      assert.ok(!next.done);
      seen.push(next.value);
    }
    await c.agentrunRestart(key);
    await waitPhase(ariRun(c, key), key, "idle");
    const acc = await c.agentrunPrompt({ ...key, prompt: text("say again") });
    while (seen.at(-1)!.type !== "turn_end" || seen.at(-1)!.seq < acc.fromSeq!) {
      const next = await it.next();
      assert.ok(!next.done);
      seen.push(next.value);
    }
    await it.return?.();
    assert.deepEqual(
      seen.map(envelope),
      (await logEvents(idle.status.bundle!)).slice(0, seen.length),
    );
    await c.agentrunStop(key);
  });
});

Deno.test("watch: bad params, duplicate watchId, unwatch", async () => {
  await withRunsDaemon(async ({ client: c, daemon }) => {
    await createIdle(c, key);
    assert.equal(await codeOf(c.request(AriMethods.agentrunWatch, { ...key })), -32602);
    assert.equal(
      await codeOf(c.call(AriMethods.agentrunWatch, { ...key, watchId: "w", fromSeq: -1 })),
      -32602,
    );
    assert.equal(await codeOf(c.call(AriMethods.agentrunUnwatch, { watchId: "nope" })), -32602);

    const events: unknown[] = [];
    const peer = await dialUnix(daemon.paths.socket, {
      setup: (p) => p.onNotification(AriMethods.agentrunEvent, (ev) => void events.push(ev)),
    });
    try {
      await peer.request(AriMethods.agentrunWatch, { ...key, watchId: "w1", fromSeq: 0 });
      assert.equal(
        await codeOf(peer.request(AriMethods.agentrunWatch, { ...key, watchId: "w1" })),
        -32602,
      );
      await until("replayed", () => events.length > 0);
      assert.equal(await peer.request(AriMethods.agentrunUnwatch, { watchId: "w1" }), null);
      const count = events.length;
      const acc = await c.agentrunPrompt({ ...key, prompt: text("say more") });
      await turnEvents(c, key, acc.fromSeq);
      assert.equal(events.length, count, "no events after unwatch");
      assert.ok(!peer.isClosed, "unwatch keeps the connection");
    } finally {
      peer.close();
    }
    await c.agentrunStop(key);
  });
});
