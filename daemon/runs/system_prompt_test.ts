import assert from "node:assert/strict";
import { composeSystemPrompt } from "./system_prompt.ts";

Deno.test("system prompt: none without user prompt or workflow; identity first otherwise", () => {
  assert.equal(composeSystemPrompt({ name: "a", workspace: "ws" }), undefined);
  assert.equal(composeSystemPrompt({ name: "a", workspace: "ws", systemPrompt: "  " }), undefined);
  const p = composeSystemPrompt({
    name: "a",
    workspace: "ws",
    workspacePath: "/w",
    mesh: true,
    systemPrompt: "be brief",
    workflowFile: "/x/flow.md",
  })!;
  const parts = p.split("\n---\n");
  assert.equal(parts.length, 4);
  assert.match(parts[0], /You are a, an agent in workspace "ws"\. Path: \/w/);
  assert.match(parts[1], /workspace-mesh/);
  assert.equal(parts[2], "be brief");
  assert.match(parts[3], /\/x\/flow\.md/);
});
