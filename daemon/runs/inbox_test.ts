import assert from "node:assert/strict";
import { envelopeBlock, escapeAttribute, messagePrompt } from "./inbox.ts";

Deno.test("inbox envelope: attributes escaped, reply request", () => {
  assert.equal(escapeAttribute(`a"<b>&'`), "a&quot;&lt;b&gt;&amp;&#39;");
  assert.equal(envelopeBlock({ from: "x" }).text, '\n\n<workspace-message from="x" />');
  assert.equal(
    envelopeBlock({ from: 'x"y', needsReply: true }).text,
    '\n\n<workspace-message from="x&quot;y" reply-to="x&quot;y" reply-requested="true" />',
  );
  const blocks = messagePrompt([{ type: "text", text: "hi" }], { from: "x" });
  assert.equal(blocks.length, 2);
});
