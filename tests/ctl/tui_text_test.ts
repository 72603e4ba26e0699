import { assert, assertEquals } from "./tui_assert.ts";
import { lineText, parseInline, parseMarkdown } from "../../ctl/tui/markdown.ts";
import { completions, helpLines, resolveInput } from "../../ctl/tui/commands.ts";
import * as ed from "../../ctl/tui/editor.ts";

// ---------- markdown ----------

Deno.test("markdown: headings, lists, quotes, rules and blank lines", () => {
  const lines = parseMarkdown("# Title\n\n- one\n2. two\n- [x] done\n> quoted\n---\ntext");
  assertEquals(lines.map((l) => l.kind), [
    "heading",
    "blank",
    "text",
    "text",
    "text",
    "quote",
    "rule",
    "text",
  ]);
  assertEquals(lines[0].level, 1);
  assertEquals(lines.map(lineText), [
    "Title",
    "",
    "• one",
    "2. two",
    "☑ done",
    "quoted",
    "",
    "text",
  ]);
});

Deno.test("markdown: fenced code keeps its lines verbatim, and an open fence runs to the end", () => {
  const lines = parseMarkdown("before\n```ts\nconst a = **1**;\n```\nafter\n```\nstreaming…");
  assertEquals(lines.map((l) => `${l.kind}:${lineText(l)}`), [
    "text:before",
    "code:ts",
    "code:const a = **1**;",
    "text:after",
    "code:streaming…",
  ]);
  assert(lines[2].spans[0].code);
});

Deno.test("markdown inline: bold, italic, code, links, nesting; unclosed markup stays literal", () => {
  const spans = parseInline("a **bold _it_** `x*y*` *em* [site](http://e.x) **open");
  const flat = spans.map((s) =>
    `${s.bold ? "B" : ""}${s.italic ? "I" : ""}${s.code ? "C" : ""}${s.link ? "L" : ""}${
      s.dim ? "D" : ""
    }:${s.text}`
  );
  assertEquals(flat, [
    ":a ",
    "B:bold ",
    "BI:it",
    ": ",
    "C:x*y*",
    ": ",
    "I:em",
    ": ",
    "L:site",
    "D: (http://e.x)",
    ": **open",
  ]);
  assertEquals(parseInline("snake_case_name").map((s) => s.text).join(""), "snake_case_name");
  assert(parseInline("snake_case_name").every((s) => !s.italic));
});

// ---------- commands ----------

Deno.test("commands: built-ins, aliases, agent commands and plain prompts", () => {
  const agent = [{ name: "plan", description: "Plan it", hint: "what" }];
  assertEquals(resolveInput("hello", agent), { kind: "prompt", text: "hello" });
  assertEquals(resolveInput("/model demo-large", agent), {
    kind: "builtin",
    name: "model",
    args: "demo-large",
  });
  assertEquals(resolveInput("/q", agent), { kind: "builtin", name: "exit", args: "" });
  assertEquals(resolveInput("/PLAN the trip", agent), {
    kind: "agent",
    name: "plan",
    text: "/PLAN the trip",
  });
  assertEquals(resolveInput("/nope", agent), { kind: "unknown", name: "nope" });
  assertEquals(resolveInput("/ not a command", agent), {
    kind: "prompt",
    text: "/ not a command",
  });
});

Deno.test("completion: names by prefix, then model and mode ids", () => {
  const ctx = {
    commands: [{ name: "hello", description: "Say\nhello" }],
    models: [{ id: "demo-small", name: "Small" }, { id: "demo-large", name: "Large" }],
    modes: [{ id: "default", name: "Default" }, { id: "plan", name: "Plan" }],
  };
  assertEquals(completions("/mo", ctx).map((c) => c.value), ["/model ", "/mode "]);
  assertEquals(completions("/h", ctx).map((c) => c.value), ["/help ", "/hello "]);
  assertEquals(completions("/hello", ctx)[0].description, "Say hello (agent)");
  assertEquals(completions("/", ctx).length, 10); // 9 built-ins and the agent's hello
  assertEquals(completions("/model demo-l", ctx).map((c) => c.value), ["/model demo-large"]);
  assertEquals(completions("/mode ", ctx).map((c) => c.label), ["default", "plan"]);
  assertEquals(completions("hello", ctx), []);
  assertEquals(completions("/x\ny", ctx), []);
  assert(helpLines(ctx.commands).some((l) => l.includes("/hello") && l.includes("[agent]")));
});

// ---------- editor ----------

Deno.test("editor: typing, cursor moves, backspace over a surrogate pair, kill word", () => {
  let s = ed.insert(ed.emptyEditor(), "héllo 🙂");
  assertEquals(s.cursor, s.text.length);
  s = ed.backspace(s);
  assertEquals(s.text, "héllo ");
  s = ed.moveLeft(ed.moveLeft(s));
  s = ed.insert(s, "X");
  assertEquals(s.text, "héllXo ");
  s = ed.killWord(ed.lineEnd(s));
  assertEquals(s.text, "");
});

Deno.test("editor: multi-line movement and trailing-backslash continuation", () => {
  let s = ed.insert(ed.emptyEditor(), "first\\");
  assert(ed.endsWithContinuation(s));
  s = ed.continueLine(s);
  s = ed.insert(s, "second line");
  assertEquals(s.text, "first\nsecond line");
  assertEquals(ed.cursorPosition(s), { row: 1, col: 11 });
  s = ed.up(s);
  assertEquals(ed.cursorPosition(s), { row: 0, col: 5 });
  s = ed.down(s);
  assertEquals(ed.cursorPosition(s), { row: 1, col: 5 });
});

Deno.test("editor: history with draft, consecutive dedup and a 100-entry limit", () => {
  let s = ed.emptyEditor();
  for (const t of ["one", "two", "two", "three"]) {
    s = ed.commit(ed.insert(s, t)).state;
  }
  assertEquals(s.history, ["one", "two", "three"]);
  s = ed.insert(s, "draft");
  s = ed.up(s);
  assertEquals(s.text, "three");
  s = ed.up(ed.up(ed.up(s)));
  assertEquals(s.text, "one", "stops at the oldest");
  s = ed.down(ed.down(ed.down(s)));
  assertEquals(s.text, "draft", "the draft comes back");
  let h: string[] = [];
  for (let i = 0; i < 150; i++) h = ed.pushHistory(h, `p${i}`);
  assertEquals(h.length, ed.HISTORY_LIMIT);
  assertEquals(h[0], "p50");
  assertEquals(ed.pushHistory(h, "   "), h, "blank entries are not kept");
});
