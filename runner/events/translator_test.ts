import assert from "node:assert/strict";
import { metadataChange, metadataReason, Translator } from "./translator.ts";
import type { EventDraft } from "./event_hub.ts";

function translator(sessionId = "s-1"): Translator {
  let n = 0;
  return new Translator({ sessionId, newId: () => `turn-${++n}` });
}

const text = (t: string) => ({ type: "text", text: t });
const END = { type: "text", text: "" };

/** type/status pairs, for compact sequence assertions. */
function shape(drafts: EventDraft[]): string[] {
  const content = ["agent_message", "agent_thinking", "user_message"];
  return drafts.map((d) =>
    content.includes(d.type) ? `${d.type}:${(d.payload as { status: string }).status}` : d.type
  );
}

Deno.test("a turn: turn_start, prompt blocks, streamed blocks with start/streaming/end, turn_end", () => {
  const tr = translator();
  const { turnId, drafts: start } = tr.beginTurn("user");
  assert.equal(turnId, "turn-1");
  assert.equal(tr.turnId, "turn-1");
  assert.deepEqual(start, [
    { type: "turn_start", payload: { origin: "user" }, sessionId: "s-1", turnId: "turn-1" },
  ]);
  const prompt = tr.userPrompt(
    [text("hi"), { type: "resource_link", uri: "file:///a", name: "a" }],
    "user",
  );
  assert.deepEqual(prompt.map((d) => d.payload), [
    { status: "start", content: text("hi") },
    { status: "start", content: { type: "resource_link", uri: "file:///a", name: "a" } },
  ]);
  assert.ok(prompt.every((d) => d.type === "user_message" && d.turnId === "turn-1"));

  const out = [
    ...tr.translate({ sessionUpdate: "agent_thought_chunk", content: text("hmm") }),
    ...tr.translate({ sessionUpdate: "agent_thought_chunk", content: text("...") }),
    ...tr.translate({ sessionUpdate: "agent_message_chunk", content: text("Hel") }),
    ...tr.translate({ sessionUpdate: "agent_message_chunk", content: text("lo") }),
    ...tr.translate({ sessionUpdate: "agent_message_chunk", content: text("!") }),
    ...tr.endTurn("end_turn"),
  ];
  assert.deepEqual(shape(out), [
    "agent_thinking:start",
    "agent_thinking:streaming",
    "agent_thinking:end",
    "agent_message:start",
    "agent_message:streaming",
    "agent_message:streaming",
    "agent_message:end",
    "turn_end",
  ]);
  assert.deepEqual(out[2].payload, { status: "end", content: END });
  assert.deepEqual(out[4].payload, { status: "streaming", content: text("lo") });
  assert.deepEqual(out.at(-1)!.payload, { stopReason: "end_turn" });
  assert.ok(out.every((d) => d.turnId === "turn-1" && d.sessionId === "s-1"));
  assert.equal(tr.turnId, undefined);
});

Deno.test("system-prompt turn marks its user messages", () => {
  const tr = translator();
  const { drafts } = tr.beginTurn("system");
  assert.deepEqual(drafts[0].payload, { origin: "system" });
  assert.deepEqual(tr.userPrompt([text("be nice")], "system")[0].payload, {
    status: "start",
    content: text("be nice"),
    systemPrompt: true,
  });
});

Deno.test("non-content events close the open block first", () => {
  const cases: [unknown, string][] = [
    [{ sessionUpdate: "tool_call", toolCallId: "t1", title: "Read" }, "tool_call"],
    [{ sessionUpdate: "tool_call_update", toolCallId: "t1" }, "tool_result"],
    [{ sessionUpdate: "plan", entries: [] }, "plan"],
    [{ sessionUpdate: "usage_update", size: 10, used: 1 }, "runtime_update"],
    [{ sessionUpdate: "current_mode_update", currentModeId: "ask" }, "runtime_update"],
    [{ sessionUpdate: "notice", severity: "info", title: "hi" }, "notice"],
    [{ sessionUpdate: "compaction_update", compactionId: "c", status: "completed" }, "compaction"],
    [{ sessionUpdate: "mystery" }, "error"],
  ];
  for (const [update, type] of cases) {
    const tr = translator();
    tr.beginTurn("user");
    tr.translate({ sessionUpdate: "agent_message_chunk", content: text("a") });
    const out = tr.translate(update);
    assert.deepEqual(shape(out), ["agent_message:end", type], JSON.stringify(update));
    // Closed: the next chunk starts a new block.
    assert.deepEqual(
      shape(tr.translate({ sessionUpdate: "agent_message_chunk", content: text("b") })),
      ["agent_message:start"],
    );
  }
});

Deno.test("a new messageId starts a new block of the same type", () => {
  const tr = translator();
  const chunk = (messageId?: string) =>
    tr.translate({ sessionUpdate: "agent_message_chunk", content: text("x"), messageId });
  assert.deepEqual(shape([...chunk("m1"), ...chunk("m1"), ...chunk(), ...chunk("m2")]), [
    "agent_message:start",
    "agent_message:streaming",
    "agent_message:streaming",
    "agent_message:end",
    "agent_message:start",
  ]);
});

Deno.test("user_message_chunk (session replay) is a content block too", () => {
  const tr = translator();
  const out = [
    ...tr.translate({ sessionUpdate: "user_message_chunk", content: text("q") }),
    ...tr.translate({ sessionUpdate: "agent_message_chunk", content: text("a") }),
  ];
  assert.deepEqual(shape(out), ["user_message:start", "user_message:end", "agent_message:start"]);
  assert.ok(out.every((d) => d.turnId === undefined));
});

Deno.test("tool_call and tool_call_update map to tool_call / tool_result with defaults", () => {
  const tr = translator();
  tr.beginTurn("user");
  const [call] = tr.translate({
    sessionUpdate: "tool_call",
    toolCallId: "t1",
    title: "Read a.txt",
    kind: "read",
    status: "pending",
    name: "read_file",
    locations: [{ path: "/w/a.txt", line: 3 }],
    rawInput: { path: "a.txt" },
    _meta: { x: 1 },
  });
  assert.deepEqual(call, {
    type: "tool_call",
    sessionId: "s-1",
    turnId: "turn-1",
    payload: {
      id: "t1",
      kind: "read",
      title: "Read a.txt",
      _meta: { x: 1 },
      name: "read_file",
      status: "pending",
      locations: [{ path: "/w/a.txt", line: 3 }],
      rawInput: { path: "a.txt" },
    },
  });
  const [bare] = tr.translate({ sessionUpdate: "tool_call_update", toolCallId: "t1" });
  assert.deepEqual(bare.payload, { id: "t1", kind: "", title: "", status: "unknown" });
  const [nulls] = tr.translate({
    sessionUpdate: "tool_call_update",
    toolCallId: "t1",
    status: null,
    kind: null,
    title: null,
    content: null,
  });
  assert.deepEqual(nulls.payload, { id: "t1", kind: "", title: "", status: "unknown" });
  const content = [{ type: "content", content: text("ok") }, {
    type: "diff",
    path: "a",
    newText: "b",
  }];
  const [full] = tr.translate({
    sessionUpdate: "tool_call_update",
    toolCallId: "t1",
    status: "completed",
    content,
    rawOutput: "done",
  });
  assert.deepEqual(full.payload, {
    id: "t1",
    kind: "",
    title: "",
    status: "completed",
    content,
    rawOutput: "done",
  });
  assert.equal(full.type, "tool_result");
  assert.equal(full.turnId, "turn-1");
  const [noKind] = tr.translate({ sessionUpdate: "tool_call", toolCallId: "t2", title: "x" });
  assert.deepEqual(noKind.payload, { id: "t2", kind: "", title: "x" });
});

Deno.test("plan is a full replacement", () => {
  const tr = translator();
  const entries = [{ content: "a", priority: "high", status: "pending" }];
  assert.deepEqual(tr.translate({ sessionUpdate: "plan", entries }), [
    { type: "plan", sessionId: "s-1", payload: { entries } },
  ]);
});

Deno.test("metadata and usage updates become runtime_update, never with a turnId", () => {
  const tr = translator();
  tr.beginTurn("user");
  const commands = [{ name: "web", description: "search", input: { hint: "query" } }];
  const options = [{
    type: "select",
    id: "model",
    name: "Model",
    currentValue: "a",
    options: [{ value: "a", name: "A" }],
  }];
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [
      { sessionUpdate: "available_commands_update", availableCommands: commands },
      { availableCommands: { commands } },
    ],
    [
      { sessionUpdate: "current_mode_update", currentModeId: "code", _meta: { m: 1 } },
      { currentMode: { modeId: "code", _meta: { m: 1 } } },
    ],
    [
      { sessionUpdate: "config_option_update", configOptions: options },
      { configOptions: { options } },
    ],
    [
      { sessionUpdate: "session_info_update", title: "Fix bug", updatedAt: null },
      { sessionInfo: { title: "Fix bug", updatedAt: null } },
    ],
    [{ sessionUpdate: "session_info_update", title: "T" }, { sessionInfo: { title: "T" } }],
    [{ sessionUpdate: "usage_update", size: 200, used: 50 }, { usage: { size: 200, used: 50 } }],
    [
      {
        sessionUpdate: "usage_update",
        size: 200,
        used: 50,
        cost: { amount: 0.5, currency: "USD" },
      },
      { usage: { size: 200, used: 50, cost: { amount: 0.5, currency: "USD" } } },
    ],
  ];
  for (const [update, payload] of cases) {
    assert.deepEqual(
      tr.translate(update),
      [{ type: "runtime_update", sessionId: "s-1", payload }],
      update.sessionUpdate as string,
    );
  }
});

Deno.test("notice and compaction keep the update's fields", () => {
  const tr = translator();
  tr.beginTurn("user");
  assert.deepEqual(
    tr.translate({ sessionUpdate: "notice", severity: "warning", title: "Low", description: null }),
    [{
      type: "notice",
      sessionId: "s-1",
      turnId: "turn-1",
      payload: { severity: "warning", title: "Low", description: null },
    }],
  );
  assert.deepEqual(
    tr.translate({ sessionUpdate: "compaction_update", compactionId: "c1", status: "in_progress" }),
    [{
      type: "compaction",
      sessionId: "s-1",
      turnId: "turn-1",
      payload: { compactionId: "c1", status: "in_progress", kind: "update" },
    }],
  );
  assert.deepEqual(
    tr.translate({
      sessionUpdate: "compaction_summary_chunk",
      compactionId: "c1",
      content: text("s"),
    })[0]
      .payload,
    { compactionId: "c1", content: text("s"), kind: "summary_chunk" },
  );
});

Deno.test("unknown or malformed updates become error events; nothing throws", () => {
  const tr = translator();
  tr.beginTurn("user");
  assert.deepEqual(tr.translate({ sessionUpdate: "hologram", x: 1 }), [{
    type: "error",
    sessionId: "s-1",
    turnId: "turn-1",
    payload: { message: "unknown session update variant: hologram" },
  }]);
  for (const bad of [null, 42, "x", [], {}, { sessionUpdate: 7 }]) {
    const out = tr.translate(bad);
    assert.equal(out.length, 1);
    assert.equal(out[0].type, "error");
  }
  for (
    const bad of [
      { sessionUpdate: "agent_message_chunk" },
      { sessionUpdate: "agent_message_chunk", content: "text" },
      { sessionUpdate: "tool_call" },
      { sessionUpdate: "plan", entries: {} },
      { sessionUpdate: "usage_update", size: "1", used: 0 },
      { sessionUpdate: "current_mode_update" },
      { sessionUpdate: "config_option_update" },
      { sessionUpdate: "available_commands_update" },
    ]
  ) {
    const out = tr.translate(bad);
    assert.deepEqual(shape(out), ["error"], JSON.stringify(bad));
    assert.match((out[0].payload as { message: string }).message, /^invalid session update /);
  }
});

Deno.test("turnId: set by beginTurn, carried until turn_end, absent outside a turn", () => {
  const tr = new Translator();
  const before = tr.translate({ sessionUpdate: "agent_message_chunk", content: text("late") });
  assert.equal(before[0].turnId, undefined);
  assert.equal(before[0].sessionId, undefined);
  tr.setSessionId("s-2");
  // A block left open between turns is closed before the new turn starts.
  const { turnId, drafts } = tr.beginTurn("user");
  assert.match(turnId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(shape(drafts), ["agent_message:end", "turn_start"]);
  assert.equal(drafts[0].turnId, undefined);
  assert.equal(drafts[1].turnId, turnId);
  assert.equal(drafts[1].sessionId, "s-2");
  const end = tr.endTurn("cancelled");
  assert.deepEqual(shape(end), ["turn_end"]);
  assert.equal(end[0].turnId, turnId);
  const after = tr.translate({ sessionUpdate: "plan", entries: [] });
  assert.equal(after[0].turnId, undefined);
  const second = tr.beginTurn("user");
  assert.notEqual(second.turnId, turnId);
});

Deno.test("metadataChange names the state.json field and reason", () => {
  assert.deepEqual(
    metadataChange({ sessionUpdate: "available_commands_update", availableCommands: [] }),
    {
      field: "availableCommands",
      reason: "commands-updated",
    },
  );
  assert.deepEqual(metadataChange({ sessionUpdate: "config_option_update" }), {
    field: "configOptions",
    reason: "config-updated",
  });
  assert.deepEqual(metadataChange({ sessionUpdate: "session_info_update" }), {
    field: "sessionInfo",
    reason: "session-info-updated",
  });
  assert.deepEqual(metadataChange({ sessionUpdate: "current_mode_update" }), {
    field: "currentMode",
    reason: "mode-updated",
  });
  for (const other of ["usage_update", "agent_message_chunk", "plan", "notice", "nope"]) {
    assert.equal(metadataChange({ sessionUpdate: other }), undefined, other);
  }
  assert.equal(metadataChange(null), undefined);
  const c = metadataChange({ sessionUpdate: "current_mode_update" })!;
  const s = metadataChange({ sessionUpdate: "session_info_update" })!;
  assert.equal(metadataReason([c]), "mode-updated");
  assert.equal(metadataReason([c, c]), "mode-updated");
  assert.equal(metadataReason([c, s]), "metadata-updated");
});
