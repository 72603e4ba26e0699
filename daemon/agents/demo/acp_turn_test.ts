import assert from "node:assert/strict";
import type * as acp from "@agentclientprotocol/sdk";
import {
  AcpTurn,
  cancelTurn,
  exclusiveTurn,
  sleep,
  TurnCancelled,
  type TurnHolder,
} from "./acp_turn.ts";

/** A client that records what the turn notifies. */
function recordingClient(sent: unknown[]): acp.AgentContext {
  return {
    notify: (_method: string, params: unknown) => {
      sent.push(params);
      return Promise.resolve();
    },
  } as unknown as acp.AgentContext;
}

Deno.test("acp turn: updates go out until the turn is cancelled, then TurnCancelled", async () => {
  const sent: unknown[] = [];
  const ac = new AbortController();
  const turn = new AcpTurn({ id: "s1" }, recordingClient(sent), ac.signal);
  await turn.say("hi");
  assert.deepEqual(sent, [{
    sessionId: "s1",
    update: { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "hi" } },
  }]);
  ac.abort();
  await assert.rejects(turn.say("late"), TurnCancelled);
  await assert.rejects(turn.pause(10_000), TurnCancelled);
  assert.equal(sent.length, 1);
});

Deno.test("acp turn: unlessCancelled stops waiting on a cancel", async () => {
  const ac = new AbortController();
  const turn = new AcpTurn({ id: "s" }, recordingClient([]), ac.signal);
  assert.equal(await turn.unlessCancelled(Promise.resolve(7)), 7);
  const never = new Promise<number>(() => {});
  const waiting = turn.unlessCancelled(never);
  ac.abort();
  await assert.rejects(waiting, TurnCancelled);
});

Deno.test("acp turn: one turn per session; cancel aborts it; the slot frees after", async () => {
  const session: TurnHolder = {};
  assert.equal(cancelTurn(session), false);
  let seen: AbortSignal | undefined;
  const running = exclusiveTurn(session, new AbortController().signal, async (signal) => {
    seen = signal;
    await sleep(60_000, signal);
    return signal.aborted ? "cancelled" : "done";
  });
  await assert.rejects(
    exclusiveTurn(session, new AbortController().signal, () => Promise.resolve("second")),
    /already running/,
  );
  assert.equal(cancelTurn(session), true);
  assert.equal(await running, "cancelled");
  assert.equal(seen?.aborted, true);
  assert.equal(session.turn, undefined);
  assert.equal(
    await exclusiveTurn(session, new AbortController().signal, () => Promise.resolve("next")),
    "next",
  );
});

Deno.test("acp turn: the request's own signal aborts the turn too", async () => {
  const request = new AbortController();
  const session: TurnHolder = {};
  const running = exclusiveTurn(session, request.signal, (signal) => sleep(60_000, signal));
  request.abort();
  await running;
  assert.equal(session.turn, undefined);
});
