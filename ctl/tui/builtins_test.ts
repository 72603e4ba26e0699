import assert from "node:assert/strict";
import { builtinEffect } from "./builtins.ts";
import { type ChatModel, initialChatModel } from "./chat_state.ts";

const model = (over: Partial<ChatModel> = {}): ChatModel => ({ ...initialChatModel(), ...over });

Deno.test("builtins: cancel only while a turn runs", () => {
  assert.deepEqual(builtinEffect("cancel", "", model()), {
    type: "info",
    text: "no turn is running",
  });
  assert.deepEqual(builtinEffect("cancel", "", model({ phase: "running" })), {
    type: "cancel_turn",
  });
});

Deno.test("builtins: /model and /mode show the current one, or set the first word", () => {
  assert.deepEqual(builtinEffect("model", "fast  extra", model()), {
    type: "set",
    what: "model",
    id: "fast",
  });
  const m = model({ mode: "ask", modes: [{ id: "ask", name: "Ask" }, { id: "code", name: "C" }] });
  assert.deepEqual(builtinEffect("mode", "", m), {
    type: "notice",
    text: "mode: ask (available: ask, code)",
  });
  assert.deepEqual(builtinEffect("model", "", model()), { type: "notice", text: "model: unknown" });
});

Deno.test("builtins: status, permissions, clear, exit, help; unknown names do nothing", () => {
  assert.deepEqual(builtinEffect("status", "", model({ lastSeq: 4 })), {
    type: "notice",
    text: "phase: unknown · model: unknown · mode: unknown · usage: unknown · seq: 4 · " +
      "session: none",
  });
  assert.deepEqual(builtinEffect("permissions", "", model()), {
    type: "info",
    text: "no pending permission requests",
  });
  const asking = model({
    permissions: [{ requestId: "r", title: "t", toolKind: "", options: [] }],
  });
  assert.deepEqual(builtinEffect("permissions", "", asking), { type: "restore_permissions" });
  assert.deepEqual(builtinEffect("clear", "", model()), { type: "clear" });
  assert.deepEqual(builtinEffect("exit", "", model()), { type: "exit" });
  assert.equal(builtinEffect("help", "", model())?.type, "notice");
  assert.equal(builtinEffect("nope", "", model()), undefined);
});

Deno.test("builtins: /diff asks for the worktree diff, --stat for the summary", () => {
  assert.deepEqual(builtinEffect("diff", "", model()), { type: "show_diff", stat: false });
  assert.deepEqual(builtinEffect("diff", "--stat", model()), { type: "show_diff", stat: true });
  assert.deepEqual(builtinEffect("diff", "--statistics", model()), {
    type: "show_diff",
    stat: false,
  });
});
