/**
 * `runtime/watch_event` on a real agent-run while a long turn streams: replay then live, every
 * seq exactly once, from 0, from the middle, and live-only.
 */
import assert from "node:assert/strict";
import { errorCode } from "../../specs/errors.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { until } from "../support/wait.ts";
import { EventCollector, seqProblems, text, waitForPhase, withRunner } from "./harness.ts";

const CHUNKS = 20_000;

Deno.test("watchers from 0, from the middle and live-only each see every seq exactly once", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
    const watches: EventCollector[] = [];
    try {
      const idle = await waitForPhase(peer, "idle");
      const fromZero = await EventCollector.watch(bundle.socket, 0);
      watches.push(fromZero);
      const live = await EventCollector.watch(bundle.socket);
      watches.push(live);
      assert.ok(live.nextSeq > idle.recovery.lastSeq);

      const turn = peer.request<{ stopReason: string }>(
        RunnerMethods.prompt,
        text(`chunks ${CHUNKS}`),
        { timeoutMs: 60_000 },
      );
      // Join in the middle of the stream, from a seq already behind the live edge.
      await until("2000 events", () => fromZero.events.length > 2_000, 30_000);
      const middleFrom = fromZero.events[1_000].seq;
      const middle = await EventCollector.watch(bundle.socket, middleFrom);
      watches.push(middle);
      assert.equal((await turn).stopReason, "end_turn");

      const isIdle = (e: { type: string; payload: unknown }) =>
        e.type === "runtime_update" &&
        (e.payload as { phase?: { reason?: string } }).phase?.reason === "prompt-completed";
      for (const w of watches) await w.waitFor(isIdle, 60_000, "idle after the long turn");

      const last = fromZero.events.at(-1)!.seq;
      assert.equal(seqProblems(fromZero.events, 0), undefined);
      assert.equal(seqProblems(middle.events, middleFrom), undefined);
      assert.equal(seqProblems(live.events, live.nextSeq), undefined);
      assert.equal(middle.events.at(-1)!.seq, last);
      assert.equal(live.events.at(-1)!.seq, last);
      const chunks = fromZero.events.filter((e) => e.type === "agent_message");
      // start + streaming… + end
      assert.equal(chunks.length, CHUNKS + 1);
      // Live and replayed copies of one event are identical.
      assert.deepEqual(middle.events.at(-1), fromZero.events.at(-1));
      assert.deepEqual(middle.events[0], fromZero.events[middleFrom]);
    } finally {
      for (const w of watches) w.close();
      await runner.stop(peer).catch(() => {});
    }
  });
});

Deno.test("watch params are validated; several watches share one connection", async () => {
  await withRunner({}, async ({ runner, peer }) => {
    await waitForPhase(peer, "idle");
    await assert.rejects(
      peer.request(RunnerMethods.watchEvent, {}),
      (err) => errorCode(err) === -32602 && /watchId is required/.test((err as Error).message),
    );
    await assert.rejects(
      peer.request(RunnerMethods.watchEvent, { watchId: "w", fromSeq: -1 }),
      (err) => errorCode(err) === -32602,
    );
    // Two watches on one connection are told apart by watchId.
    const got = new Map<string, number[]>();
    const shared = await runner.dial();
    shared.onNotification(RunnerMethods.eventUpdate, (p) => {
      const ev = p as { watchId: string; seq: number };
      got.set(ev.watchId, [...(got.get(ev.watchId) ?? []), ev.seq]);
    });
    const a = await shared.request<{ nextSeq: number }>(RunnerMethods.watchEvent, {
      watchId: "a",
      fromSeq: 0,
    });
    await shared.request(RunnerMethods.watchEvent, { watchId: "b", fromSeq: 2 });
    await until("replay of a", () => (got.get("a")?.length ?? 0) >= a.nextSeq, 10_000);
    await until("replay of b", () => (got.get("b")?.length ?? 0) >= a.nextSeq - 2, 10_000);
    assert.deepEqual(got.get("a"), [...Array(a.nextSeq).keys()]);
    assert.deepEqual(got.get("b"), [...Array(a.nextSeq).keys()].slice(2));
    shared.close();
    assert.equal((await runner.stop(peer)).code, 0);
  });
});
