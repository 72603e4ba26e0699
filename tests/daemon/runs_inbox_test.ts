import assert from "node:assert/strict";
import { errorCode } from "../../specs/errors.ts";
import { eventText } from "../../specs/events.ts";
import { ariRun, collect, isPhase, startRunsDaemon, text, waitPhase } from "./runs_helpers.ts";

const a = { workspace: "ws", name: "a" };
const b = { workspace: "ws", name: "b" };

Deno.test("workspace/send: idle target gets it now, busy target later (FIFO), stopped → -32001", async () => {
  const d = await startRunsDaemon();
  const c = d.client;
  try {
    for (const key of [a, b]) await c.agentrunCreate({ metadata: key, spec: { agent: "test" } });
    await waitPhase(ariRun(c, a), a, "idle");
    const idleB = await waitPhase(ariRun(c, b), b, "idle");
    const start = (idleB.status.lastSeq ?? -1) + 1;

    // Idle target: delivered at once, with the envelope appended.
    const now = await c.workspaceSend({
      workspace: "ws",
      from: "a",
      to: "b",
      message: text("say m0"),
    });
    assert.deepEqual(now, { delivered: true });
    await waitPhase(ariRun(c, b), b, "idle");

    // Busy target: both wait, then arrive one per turn, in order.
    const busy = await c.agentrunPrompt({ ...b, prompt: text("delay 800") });
    await collect(c.watch({ ...b, fromSeq: busy.fromSeq }), isPhase("running"));
    const q1 = await c.workspaceSend({
      workspace: "ws",
      from: "a",
      to: "b",
      message: text("say m1"),
      needsReply: true,
    });
    const q2 = await c.workspaceSend({
      workspace: "ws",
      from: "a",
      to: "b",
      message: text("say m2"),
    });
    assert.deepEqual(q1, { delivered: false, queued: true });
    assert.deepEqual(q2, { delivered: false, queued: true });

    let turns = 0;
    const events = await collect(c.watch({ ...b, fromSeq: start }), (ev) => {
      if (ev.type === "turn_end") turns++;
      return turns === 4;
    });
    const said = events.filter((e) => e.type === "agent_message").map(eventText).join("|");
    assert.match(said, /m0.*\|.*m1.*\|.*m2/s);
    const prompts = events.filter((e) => e.type === "user_message").map(eventText);
    assert.ok(prompts.some((p) => p.includes('<workspace-message from="a" />')));
    assert.ok(
      prompts.some((p) => p.includes('reply-to="a" reply-requested="true"')),
      "needsReply envelope",
    );
    await waitPhase(ariRun(c, b), b, "idle");

    // Unknown sender / target, stopped target.
    await assert.rejects(
      c.workspaceSend({ workspace: "ws", from: "zz", to: "b", message: text("x") }),
      (e) => errorCode(e) === -32602,
    );
    await assert.rejects(
      c.workspaceSend({ workspace: "ws", from: "a", to: "zz", message: text("x") }),
      (e) => errorCode(e) === -32602,
    );
    await c.agentrunStop(b);
    await assert.rejects(
      c.workspaceSend({ workspace: "ws", from: "a", to: "b", message: text("x") }),
      (e) => errorCode(e) === -32001,
    );
    await c.agentrunStop(a);
  } finally {
    await d.close();
  }
});
