/**
 * agentd's ARI socket reads a stream of JSON values: requests back to back, pretty-printed
 * over lines, and a last one without a newline before the client half-closes all get answers.
 */
import assert from "node:assert/strict";
import { startTestDaemon } from "./ari_helpers.ts";
import { exchange } from "../support/raw_socket.ts";

const info = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "system/info" });

Deno.test("ARI: back-to-back, pretty-printed and unterminated requests are answered", async () => {
  const t = await startTestDaemon();
  try {
    const socket = t.daemon.paths.socket;
    const pretty = JSON.stringify(
      { jsonrpc: "2.0", id: 3, method: "agent/get", params: { name: "demo" } },
      null,
      2,
    );
    const { replies, closed } = await exchange(
      socket,
      info(1) + info(2) + "\n" + pretty + "\n" + info(4),
      5,
      { halfClose: true },
    );
    assert.deepEqual(replies.map((r) => (r as { id: number }).id).sort(), [1, 2, 3, 4]);
    for (const r of replies) assert.ok("result" in (r as object), JSON.stringify(r));
    const agent = replies.find((r) => (r as { id: number }).id === 3) as {
      result: { metadata: { name: string } };
    };
    assert.equal(agent.result.metadata.name, "demo");
    assert.equal(closed, true);
  } finally {
    await t.close();
  }
});

Deno.test("ARI: a batch gets one array with an answer per request", async () => {
  const t = await startTestDaemon();
  try {
    const batch = `[${info(1)},{"jsonrpc":"2.0","method":"system/info"},7,${info(2)}]`;
    const { replies } = await exchange(t.daemon.paths.socket, batch + "\n", 1);
    const answers = replies[0] as { id: number | null; result?: unknown; error?: unknown }[];
    assert.ok(Array.isArray(answers), JSON.stringify(replies));
    assert.deepEqual(answers.map((a) => a.id), [1, null, 2]);
    assert.ok(answers[0].result && answers[2].result);
    assert.deepEqual(answers[1].error, { code: -32600, message: "invalid request" });
  } finally {
    await t.close();
  }
});
