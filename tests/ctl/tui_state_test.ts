import { assert, assertEquals } from "./tui_assert.ts";
import type { AgentRun } from "../../specs/ari.ts";
import {
  applyEvents,
  type ChatItem,
  chatReducer,
  formatTokens,
  initialChatModel,
  isBusy,
  toolName,
  toolOutputs,
  truncateMiddle,
} from "../../ctl/tui/chat_state.ts";
import { stream } from "./tui_helpers.ts";

const text = (t: string) => ({ type: "text", text: t });

function kinds(items: readonly ChatItem[]): string[] {
  return items.map((i) => i.kind);
}

Deno.test("agent text streams into one assistant item: start, streaming, end", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("agent_message", { status: "start", content: text("Hel") }, "t1"),
    e("agent_message", { status: "streaming", content: text("lo ") }, "t1"),
    e("agent_message", { status: "streaming", content: text("world") }, "t1"),
  ]);
  assertEquals(kinds(m.items), ["assistant"]);
  const a = m.items[0];
  assert(a.kind === "assistant");
  assertEquals(a.text, "Hello world");
  assertEquals(a.streaming, true);
  const ended = applyEvents(m, [e("agent_message", { status: "end", content: text("") }, "t1")]);
  const b = ended.items[0];
  assert(b.kind === "assistant");
  assertEquals(b.streaming, false);
  assertEquals(ended.open, undefined);
  assertEquals(ended.lastSeq, 3);
});

Deno.test("a new content type closes the open block and starts its own item", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("agent_thinking", { status: "start", content: text("line one\nline two") }),
    e("agent_message", { status: "start", content: text("answer") }),
  ]);
  assertEquals(kinds(m.items), ["thinking", "assistant"]);
  const t = m.items[0];
  assert(t.kind === "thinking");
  assertEquals(t.streaming, false);
  assertEquals(t.text, "line one\nline two");
});

Deno.test("late join: a streaming chunk without an open block opens one", () => {
  const e = stream(40);
  const m = applyEvents(initialChatModel(), [
    e("agent_message", { status: "streaming", content: text("…middle of a reply") }),
    e("agent_message", { status: "end", content: text("") }),
  ]);
  assertEquals(kinds(m.items), ["assistant"]);
  assertEquals(m.lastSeq, 41);
});

Deno.test("events at or below the last seq are ignored (resume overlap)", () => {
  const e = stream();
  const first = e("agent_message", { status: "start", content: text("a") });
  const second = e("agent_message", { status: "streaming", content: text("b") });
  const m = applyEvents(initialChatModel(), [first, second, second, first]);
  const a = m.items[0];
  assert(a.kind === "assistant");
  assertEquals(a.text, "ab");
});

Deno.test("tool_call then tool_result merge into one tool item", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("agent_message", { status: "start", content: text("Let me look") }),
    e("tool_call", {
      id: "call-1",
      kind: "read",
      title: "Read README.md",
      status: "pending",
      locations: [{ path: "README.md", line: 3 }],
    }),
    e("tool_result", { id: "call-1", kind: "", title: "", status: "in_progress" }),
    e("tool_result", {
      id: "call-1",
      kind: "",
      title: "",
      status: "completed",
      content: [{ type: "content", content: text("12 lines") }],
    }),
    e("tool_result", { id: "unknown", kind: "x", title: "y", status: "failed" }),
  ]);
  assertEquals(kinds(m.items), ["assistant", "tool"]);
  const a = m.items[0];
  assert(a.kind === "assistant" && !a.streaming, "tool_call closes the open block");
  const t = m.items[1];
  assert(t.kind === "tool");
  assertEquals(t.name, "read");
  assertEquals(t.title, "Read README.md");
  assertEquals(t.status, "completed");
  assertEquals(t.outputs, [{ type: "text", text: "12 lines" }]);
  assertEquals(t.locations, [{ path: "README.md", line: 3 }]);
});

Deno.test("tool_result with status unknown keeps the status; a diff survives text output", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("tool_call", {
      id: "w",
      kind: "edit",
      title: "Write a.txt",
      status: "in_progress",
      content: [{ type: "diff", path: "a.txt", oldText: "x\n", newText: "y\n" }],
    }),
    e("tool_result", {
      id: "w",
      kind: "",
      title: "",
      status: "unknown",
      content: [{ type: "content", content: text("wrote 2 bytes") }],
    }),
  ]);
  const t = m.items[0];
  assert(t.kind === "tool");
  assertEquals(t.status, "in_progress");
  assertEquals(t.outputs.map((o) => o.type), ["diff", "text"]);
});

Deno.test("tool name and output priorities follow the consumer guidance", () => {
  assertEquals(toolName("execute", "Tool: bash"), "execute");
  assertEquals(toolName("", "Tool: bash"), "bash");
  assertEquals(toolName("", "Run tests"), "Run tests");
  assertEquals(toolName(undefined, undefined), "tool");
  assertEquals(toolOutputs([], "plain"), [{ type: "text", text: "plain" }]);
  assertEquals(toolOutputs(undefined, { aggregated_output: "agg" }), [
    { type: "text", text: "agg" },
  ]);
  assertEquals(toolOutputs(undefined, { content: [{ text: "a" }, { text: "b" }] }), [
    { type: "text", text: "a\nb" },
  ]);
  assertEquals(toolOutputs(undefined, { exit: 1 }), [{ type: "text", text: '{"exit":1}' }]);
  assertEquals(toolOutputs([{ type: "terminal", terminalId: "t1" }], "ignored"), [
    { type: "terminal", terminalId: "t1" },
  ]);
});

Deno.test("long tool text keeps head and tail", () => {
  const long = "a".repeat(3000) + "b".repeat(3000);
  const out = truncateMiddle(long, 4096);
  assert(out.startsWith("a".repeat(2048)));
  assert(out.endsWith("b".repeat(2048)));
  assert(out.includes("(1904 bytes truncated)"));
  assertEquals(truncateMiddle("short", 4096), "short");
});

Deno.test("plan replaces the plan of the same turn and starts anew in the next", () => {
  const e = stream();
  const entry = (content: string, status: string) => ({ content, priority: "medium", status });
  const m = applyEvents(initialChatModel(), [
    e("plan", { entries: [entry("a", "pending"), entry("b", "pending")] }, "t1"),
    e("agent_message", { status: "start", content: text("working") }, "t1"),
    e("plan", { entries: [entry("a", "completed"), entry("b", "in_progress")] }, "t1"),
  ]);
  assertEquals(kinds(m.items), ["plan", "assistant"]);
  const p = m.items[0];
  assert(p.kind === "plan");
  assertEquals(p.entries.map((x) => x.status), ["completed", "in_progress"]);
  const next = applyEvents(m, [e("plan", { entries: [entry("c", "pending")] }, "t2")]);
  assertEquals(kinds(next.items), ["plan", "assistant", "plan"]);
});

Deno.test("runtime_update: phase, usage, commands, mode, model from config options", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("runtime_update", { phase: { previousPhase: "creating", phase: "idle" } }),
    e("runtime_update", {
      availableCommands: {
        commands: [{ name: "plan", description: "Make a\nplan", input: { hint: "what" } }],
      },
    }),
    e("runtime_update", { currentMode: { modeId: "plan" } }),
    e("runtime_update", {
      configOptions: {
        options: [{
          type: "select",
          id: "model",
          name: "Model",
          category: "model",
          currentValue: "demo-small",
          options: [{ name: "Demo Small", value: "demo-small" }, {
            group: "big",
            name: "Big",
            options: [{ name: "Demo Large", value: "demo-large" }],
          }],
        }],
      },
    }),
    e("runtime_update", { usage: { used: 1234, size: 8192 } }),
    e("runtime_update", { phase: { previousPhase: "idle", phase: "running" } }),
  ]);
  assertEquals(m.phase, "running");
  assert(isBusy(m));
  assertEquals(m.commands, [{ name: "plan", description: "Make a\nplan", hint: "what" }]);
  assertEquals(m.mode, "plan");
  assertEquals(m.model, "demo-small");
  assertEquals(m.models.map((c) => c.id), ["demo-small", "demo-large"]);
  assertEquals(m.usage, { used: 1234, size: 8192, cost: undefined });
  assertEquals(m.items, [], "metadata updates add no chat items");
});

Deno.test("phase running→idle ends the turn even without turn_end (fallback boundary)", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("turn_start", { origin: "user" }, "t1"),
    e("runtime_update", { phase: { previousPhase: "idle", phase: "running" } }),
    e("runtime_update", { phase: { previousPhase: "running", phase: "idle" } }),
  ]);
  assertEquals(m.turn, undefined);
  assertEquals(m.phase, "idle");
});

Deno.test("snapshot phase wins over replayed phase events it already covers", () => {
  const run = {
    kind: "AgentRun",
    metadata: { name: "a", workspace: "w" },
    spec: { agent: "demo" },
    status: { phase: "idle", lastSeq: 5 },
  } as AgentRun;
  const start = chatReducer(initialChatModel(), { type: "snapshot", run });
  const e = stream();
  const replay = [
    e("runtime_update", { phase: { previousPhase: "creating", phase: "idle" } }),
    e("runtime_update", { phase: { previousPhase: "idle", phase: "running" } }),
  ];
  const m = chatReducer(start, { type: "events", events: replay });
  assertEquals(m.phase, "idle", "history below the snapshot's seq must not stick running");
  assertEquals(m.connection, "live");
  const later = stream(6)("runtime_update", { phase: { previousPhase: "idle", phase: "running" } });
  assertEquals(chatReducer(m, { type: "event", event: later }).phase, "running");
  // A snapshot older than what was applied is ignored.
  const old = { ...run, status: { phase: "stopped", lastSeq: 2 } } as AgentRun;
  const after = chatReducer({ ...m, lastSeq: 6 }, { type: "snapshot", run: old });
  assertEquals(after.phase, "idle");
});

Deno.test("system-prompt turn is shown as a system prompt, not as a user message", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("turn_start", { origin: "system" }, "t0"),
    e("user_message", { status: "start", content: text("You are helpful.\nBe brief.") }, "t0"),
    e("agent_message", { status: "start", content: text("ok") }, "t0"),
    e("turn_end", { stopReason: "end_turn" }, "t0"),
    e("user_message", { status: "start", content: text("sys"), systemPrompt: true }),
  ]);
  assertEquals(kinds(m.items), ["system_prompt", "assistant", "system_prompt"]);
  const s = m.items[0];
  assert(s.kind === "system_prompt");
  assertEquals(s.text, "You are helpful.\nBe brief.");
});

Deno.test("own prompt is shown at once and its echo is not shown twice", () => {
  const e = stream();
  let m = chatReducer(initialChatModel(), { type: "prompt_sent", text: "hello there" });
  assertEquals(kinds(m.items), ["user"]);
  m = applyEvents(m, [
    e("turn_start", { origin: "user" }, "t1"),
    e("user_message", { status: "start", content: text("hello ") }, "t1"),
    e("user_message", { status: "streaming", content: text("there") }, "t1"),
    e("user_message", { status: "end", content: text("") }, "t1"),
    e("agent_message", { status: "start", content: text("hi") }, "t1"),
    e("turn_end", { stopReason: "end_turn" }, "t1"),
  ]);
  assertEquals(kinds(m.items), ["user", "assistant"]);
  const u = m.items[0];
  assert(u.kind === "user");
  assertEquals(u.text, "hello there");
  assertEquals(u.pending, false);
  assertEquals(m.pending, []);
  // Someone else's prompt is shown.
  m = applyEvents(m, [e("user_message", { status: "start", content: text("other") })]);
  assertEquals(kinds(m.items), ["user", "assistant", "user"]);
});

Deno.test("a refused prompt is removed and replaced by an error line", () => {
  let m = chatReducer(initialChatModel(), { type: "prompt_sent", text: "x" });
  m = chatReducer(m, { type: "prompt_failed", text: "x", message: "not sent: busy" });
  assertEquals(kinds(m.items), ["notice"]);
  const n = m.items[0];
  assert(n.kind === "notice");
  assertEquals(n.level, "error");
  assertEquals(m.pending, []);
});

Deno.test("turn_end with a non-normal stop reason, errors and agent exit become notices", () => {
  const e = stream();
  const m = applyEvents(initialChatModel(), [
    e("turn_end", { stopReason: "cancelled" }),
    e("error", { message: "boom" }),
    e("agent_exit", { exitCode: 3, signal: null, reason: "crashed" }),
    e("session_start", { sessionId: "s2", mode: "resume" }),
  ]);
  const texts = m.items.map((i) => (i.kind === "notice" ? `${i.level}:${i.text}` : i.kind));
  assertEquals(texts, [
    "warn:turn ended: cancelled",
    "error:boom",
    "warn:agent exited (code 3, crashed)",
    "info:session resumed s2",
  ]);
  assertEquals(m.sessionId, "s2");
});

Deno.test("toggle and clear", () => {
  const e = stream();
  let m = applyEvents(initialChatModel(), [
    e("agent_thinking", { status: "start", content: text("a\nb") }),
  ]);
  const id = m.items[0].id;
  m = chatReducer(m, { type: "toggle", itemId: id });
  assertEquals(m.items[0].expanded, true);
  m = chatReducer(m, { type: "clear" });
  assertEquals(m.items, []);
  assertEquals(m.lastSeq, 0, "clear keeps the cursor");
});

Deno.test("token formatting", () => {
  assertEquals(formatTokens(512), "512");
  assertEquals(formatTokens(8192), "8.2K");
  assertEquals(formatTokens(131072), "131.1K");
  assertEquals(formatTokens(2000), "2K");
  assertEquals(formatTokens(1_500_000), "1.5M");
});

Deno.test("session snapshot fills model, modes and commands; events still win", () => {
  let m = chatReducer(initialChatModel(), {
    type: "session",
    session: {
      currentMode: "default",
      availableCommands: [{ name: "hello", description: "Say hello" }],
      models: {
        currentModelId: "m1",
        availableModels: [{ modelId: "m1", name: "One" }, { modelId: "m2", name: "Two" }],
      },
    },
  });
  assertEquals(m.model, "m1");
  assertEquals(m.models.map((c) => c.id), ["m1", "m2"]);
  assertEquals(m.mode, "default");
  assertEquals(m.commands.map((c) => c.name), ["hello"]);
  m = applyEvents(m, [stream()("runtime_update", { currentMode: { modeId: "plan" } })]);
  assertEquals(m.mode, "plan");
});
