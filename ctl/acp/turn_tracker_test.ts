import assert from "node:assert/strict";
import type { AgentRunEvent } from "../../specs/events.ts";
import { TurnTracker } from "./turn_tracker.ts";

let seq = 0;
function ev(type: string, payload: Record<string, unknown>, turnId?: string): AgentRunEvent {
  return {
    runId: "r",
    seq: seq++,
    time: "",
    type,
    payload,
    ...(turnId ? { turnId } : {}),
  } as AgentRunEvent;
}

Deno.test("TurnTracker: the first user turn from fromSeq, seen before or after the wait began", async () => {
  seq = 0;
  const t = new TurnTracker();
  t.onEvent(ev("turn_start", { origin: "user" }, "old"));
  t.onEvent(ev("turn_end", { stopReason: "end_turn" }, "old"));
  const fromSeq = seq;
  t.onEvent(ev("turn_start", { origin: "system" }, "sys"));
  t.onEvent(ev("turn_end", { stopReason: "end_turn" }, "sys"));
  t.onEvent(ev("turn_start", { origin: "user" }, "mine"));
  const early = t.outcome(fromSeq);
  t.onEvent(ev("error", { message: "bad update" }, "mine")); // inside the turn: not fatal
  t.onEvent(ev("turn_end", { stopReason: "max_tokens" }, "mine"));
  assert.deepEqual(await early, { stopReason: "max_tokens" });
  // A wait that starts after the fact finds it among the recent events.
  assert.deepEqual(await t.outcome(fromSeq), { stopReason: "max_tokens" });
});

Deno.test("TurnTracker: an agent exit or a stop ends the wait with the reason", async () => {
  seq = 0;
  const t = new TurnTracker();
  const before = t.outcome(0);
  t.onEvent(ev("error", { message: "prompt not delivered" }));
  assert.deepEqual(await before, { error: "prompt not delivered" });
  const during = t.outcome(seq);
  t.onEvent(ev("turn_start", { origin: "user" }, "x"));
  t.onEvent(ev("agent_exit", { exitCode: 1, signal: null, reason: "crashed" }, "x"));
  assert.deepEqual(await during, { error: "agent exited (exit code 1: crashed)" });
  const closed = t.outcome(seq);
  t.close("client detached");
  assert.deepEqual(await closed, { error: "client detached" });
});

Deno.test("TurnTracker: a claimed fromSeq makes the next user turn this client's own", () => {
  seq = 0;
  const t = new TurnTracker();
  t.onEvent(ev("turn_start", { origin: "user" }, "theirs"));
  t.claim(seq);
  t.onEvent(ev("turn_start", { origin: "user" }, "mine"));
  assert.equal(t.isOwn("mine"), true);
  assert.equal(t.isOwn("theirs"), false);
  assert.equal(t.isOwn(undefined), false);
});
