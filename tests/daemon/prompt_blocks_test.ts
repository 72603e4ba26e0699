/**
 * Malformed content blocks are refused at the door (-32602 naming the field), on every way in:
 * ARI agentrun/prompt, workspace/send, and the agent-run's own session/prompt. A valid prompt
 * still goes through afterwards.
 */
import assert from "node:assert/strict";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { rpcError } from "./ari_helpers.ts";
import { createIdle, isTurnEnd, text, turnEvents, withRunsDaemon } from "./runs_helpers.ts";

const BAD: { block: unknown; field: RegExp }[] = [
  { block: { type: "bogus" }, field: /0\.type: .*text/ },
  { block: { type: "text" }, field: /0\.text: / },
  { block: { type: "image", mimeType: "image/png" }, field: /0\.data: / },
  { block: { type: "audio", data: "AAAA" }, field: /0\.mimeType: / },
  { block: { type: "resource_link", uri: "file:///x" }, field: /0\.name: / },
  { block: "just text", field: /0: / },
];

Deno.test("malformed content blocks are refused with -32602 naming the field", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const a = { workspace: "ws", name: "a" };
    const b = { workspace: "ws", name: "b" };
    const run = await createIdle(c, a);
    await createIdle(c, b);
    for (const { block, field } of BAD) {
      const prompt = await rpcError(() => c.request("agentrun/prompt", { ...a, prompt: [block] }));
      assert.equal(prompt.code, -32602, `agentrun/prompt ${JSON.stringify(block)}`);
      assert.match(prompt.message, new RegExp(`prompt\\.${field.source}`));
      const send = await rpcError(() =>
        c.request("workspace/send", { workspace: "ws", from: "b", to: "a", message: [block] })
      );
      assert.equal(send.code, -32602, `workspace/send ${JSON.stringify(block)}`);
      assert.match(send.message, new RegExp(`message\\.${field.source}`));
    }
    // The agent-run's own socket checks the same way.
    const peer = await dialUnix(run.status.socketPath!, { requestTimeoutMs: 10_000 });
    try {
      for (const { block, field } of BAD) {
        const err = await rpcError(() => peer.request(RunnerMethods.prompt, { prompt: [block] }));
        assert.equal(err.code, -32602, `session/prompt ${JSON.stringify(block)}`);
        assert.match(err.message, new RegExp(`prompt\\.${field.source}`));
      }
    } finally {
      peer.close();
    }
    // Nothing reached the agent; a valid prompt (with a resource block) still works.
    const st = await c.agentrunGet(a);
    assert.equal(st.status.phase, "idle");
    const from = (st.status.lastSeq ?? -1) + 1;
    const ok = await c.agentrunPrompt({
      ...a,
      prompt: [...text("say fine"), {
        type: "resource",
        resource: { uri: "file:///n.txt", text: "note" },
      }],
    });
    assert.equal(ok.accepted, true);
    const turn = await turnEvents(c, a, from);
    assert.equal(turn.filter(isTurnEnd).length, 1);
    assert.equal((turn.at(-1)!.payload as { stopReason: string }).stopReason, "end_turn");
  });
});
