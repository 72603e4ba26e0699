// deno-lint-ignore-file jsx-curly-braces -- string props with escapes (\n) need braces
import { assert, assertEquals } from "./tui_assert.ts";
import type { ChatItem, ToolItem } from "../../ctl/tui/chat_state.ts";
import { emptyEditor, insert } from "../../ctl/tui/editor.ts";
import { completions } from "../../ctl/tui/commands.ts";
import { CommandPalette } from "../../ctl/tui/components/CommandPalette.tsx";
import { diffRows, DiffView } from "../../ctl/tui/components/DiffView.tsx";
import { Header } from "../../ctl/tui/components/Header.tsx";
import { Input } from "../../ctl/tui/components/Input.tsx";
import { Markdown } from "../../ctl/tui/components/Markdown.tsx";
import { MessageList } from "../../ctl/tui/components/MessageList.tsx";
import { Plan } from "../../ctl/tui/components/Plan.tsx";
import { StatusLine } from "../../ctl/tui/components/StatusLine.tsx";
import { ToolCall } from "../../ctl/tui/components/ToolCall.tsx";
import { frame } from "./tui_helpers.ts";

function lines(s: string): string[] {
  return s.split("\n").map((l) => l.trimEnd());
}

function tool(over: Partial<ToolItem> = {}): ToolItem {
  return {
    id: 1,
    kind: "tool",
    toolId: "c1",
    name: "read",
    title: "Read README.md",
    toolKind: "read",
    status: "completed",
    outputs: [],
    locations: [{ path: "README.md", line: 3 }],
    ...over,
  };
}

Deno.test("Header: MASS > ws > name > model used/size", async () => {
  const out = await frame(
    <Header workspace="ws1" name="bot" model="demo-small" usage={{ used: 1234, size: 8192 }} />,
  );
  assertEquals(lines(out)[0], "MASS > ws1 > bot > demo-small 1.2K/8.2K (15%)");
  const bare = await frame(<Header workspace="w" name="n" />);
  assertEquals(lines(bare)[0], "MASS > w > n");
});

Deno.test("StatusLine: phase, seq, reconnecting, hint or info", async () => {
  const out = await frame(
    <StatusLine phase="running" seq={42} connection="reconnecting" hint="ctrl+c quit" />,
  );
  assertEquals(lines(out)[0], "● running seq:42 reconnecting…  ·  ctrl+c quit");
  const info = await frame(
    <StatusLine phase="idle" seq={-1} connection="live" hint="h" info="Chat cleared" />,
  );
  assertEquals(lines(info)[0], "● idle seq:-  ·  Chat cleared");
});

Deno.test("Markdown renders headings, code and lists without markup characters", async () => {
  const out = await frame(
    <Markdown text={"## Steps\n- run `deno test`\n- **then** ship\n```sh\necho hi\n```"} />,
  );
  assertEquals(lines(out), ["Steps", "• run deno test", "• then ship", "│sh", "│echo hi"]);
});

Deno.test("ToolCall: status mark, title, location; output capped at 10 lines unless expanded", async () => {
  const text = Array.from({ length: 14 }, (_, i) => `out ${i + 1}`).join("\n");
  const item = tool({ outputs: [{ type: "text", text }] });
  const out = lines(await frame(<ToolCall item={item} />));
  assertEquals(out[0], "┃ ✓ read Read README.md (README.md:3) completed");
  assertEquals(out[1], "┃ out 1");
  assertEquals(out[10], "┃ out 10");
  assertEquals(out[11], "┃ … 4 more lines");
  assertEquals(out.length, 12);
  const open = lines(await frame(<ToolCall item={{ ...item, expanded: true }} />));
  assertEquals(open.length, 15);
  assertEquals(open[14], "┃ out 14");
  const failed = lines(await frame(<ToolCall item={tool({ status: "failed", locations: [] })} />));
  assertEquals(failed[0], "┃ ✗ read Read README.md failed");
  const pending = lines(await frame(<ToolCall item={tool({ status: "in_progress" })} />));
  assert(pending[0].includes("◐") && pending[0].endsWith("in progress"));
});

Deno.test("DiffView: hunk header, line numbers, +/- lines and counts", async () => {
  const oldText = "a\nb\nc\n";
  const newText = "a\nB\nc\nd\n";
  const rows = diffRows(oldText, newText);
  assertEquals(rows.map((r) => `${r.kind}:${r.oldLine ?? ""}:${r.newLine ?? ""}:${r.text}`), [
    "hunk:::@@ -1,3 +1,4 @@",
    "ctx:1:1:a",
    "del:2::b",
    "add::2:B",
    "ctx:3:3:c",
    "add::4:d",
  ]);
  const out = lines(await frame(<DiffView path="f.txt" oldText={oldText} newText={newText} />));
  assertEquals(out, [
    "f.txt +2 -1",
    "@@ -1,3 +1,4 @@",
    "1 1   a",
    "2   - b",
    "  2 + B",
    "3 3   c",
    "  4 + d",
  ]);
  const created = lines(await frame(<DiffView path="n.txt" newText={"x\n"} maxRows={1} />));
  assertEquals(created, ["new file n.txt +1 -0", "@@ -0,0 +1,1 @@", "… 1 more diff lines"]);
});

Deno.test("Plan: entries with status marks and progress", async () => {
  const out = lines(
    await frame(
      <Plan
        entries={[
          { content: "Read", priority: "medium", status: "completed" },
          { content: "Think", priority: "high", status: "in_progress" },
          { content: "Answer", priority: "low", status: "pending" },
        ]}
      />,
    ),
  );
  assertEquals(out, ["Plan 1/3", "  ✓ Read", "  ▶ Think !", "  ○ Answer"]);
});

Deno.test("Input: prompt, cursor, multi-line, placeholder", async () => {
  const s = insert(emptyEditor(), "line one\nline two");
  assertEquals(lines(await frame(<Input editor={s} />)), ["> line one", "  line two"]);
  assertEquals(lines(await frame(<Input editor={emptyEditor()} placeholder="Type" />)), [
    ">  Type",
  ]);
});

Deno.test("Input: busy spinner animates and stops on unmount", async () => {
  const out = await frame(<Input editor={emptyEditor()} busy />);
  assert(lines(out)[0].endsWith("working… ctrl+x to cancel"), out);
});

Deno.test("CommandPalette: filtered list with the selection", async () => {
  const items = completions("/m", { commands: [], models: [], modes: [] });
  const out = lines(await frame(<CommandPalette items={items} selected={1} />));
  assertEquals(out.length, 4);
  assert(out[1].includes("/model [id]") && out[1].includes("Show or set the model"));
  assert(out[2].includes("/mode [id]"));
  assertEquals(await frame(<CommandPalette items={[]} selected={0} />), "");
});

Deno.test("MessageList: every item kind, collapsed thinking and system prompt", async () => {
  const items: ChatItem[] = [
    { id: 1, kind: "system_prompt", text: "You are\nhelpful" },
    { id: 2, kind: "user", text: "hi" },
    { id: 3, kind: "thinking", text: "first thought\nsecond\nthird", streaming: false },
    { id: 4, kind: "assistant", text: "**Hello**", streaming: false },
    tool({ id: 5 }),
    { id: 6, kind: "plan", entries: [{ content: "x", priority: "low", status: "pending" }] },
    { id: 7, kind: "notice", level: "error", text: "boom" },
  ];
  const out = lines(await frame(<MessageList items={items} />)).filter((l) => l !== "");
  assertEquals(out, [
    "⚙ system prompt (2 lines)",
    "❯ hi",
    "✻ first thought … (3 lines)",
    "Hello",
    "┃ ✓ read Read README.md (README.md:3) completed",
    "Plan 0/1",
    "  ○ x",
    "✗ boom",
  ]);
  const expanded = lines(await frame(<MessageList items={items.slice(0, 3)} expandAll />))
    .filter((l) => l !== "");
  assertEquals(expanded, [
    "⚙ system prompt",
    "You are",
    "helpful",
    "❯ hi",
    "✻ thinking",
    "first thought",
    "second",
    "third",
  ]);
});

Deno.test("MessageList viewport: keeps the newest lines, scrolls up by lines", async () => {
  const items: ChatItem[] = Array.from({ length: 10 }, (_, i) => ({
    id: i + 1,
    kind: "notice",
    level: "info",
    text: `n${i}`,
  }));
  const bottom = lines(await frame(<MessageList items={items} height={3} />));
  assertEquals(bottom, ["· n7", "· n8", "· n9"]);
  const up = lines(await frame(<MessageList items={items} height={3} scroll={4} />));
  assertEquals(up, ["· n3", "· n4", "· n5"]);
});
