/**
 * Chat TUI (issue #9 item 18): tool cards scoped to their turn, unsent text kept, exact command
 * names first, the cursor at the end after ↑, "connecting" while connecting, and a lost daemon
 * named as such instead of an OS error.
 */
import { render } from "ink-testing-library";
import { assert, assertEquals } from "./tui_assert.ts";
import type { WatchOptions } from "../../ctl/client/ari_client.ts";
import { applyEvents, initialChatModel } from "../../ctl/tui/chat_state.ts";
import { ChatApp, type ChatClient } from "../../ctl/tui/chat.tsx";
import { completions } from "../../ctl/tui/commands.ts";
import { StatusLine } from "../../ctl/tui/components/StatusLine.tsx";
import * as ed from "../../ctl/tui/editor.ts";
import { sleep, until } from "../support/wait.ts";
import { frame, plainFrame, stream } from "./tui_helpers.ts";

Deno.test("tool cards: the same id in another turn is another card; results go to their turn", () => {
  const e = stream();
  const call = (title: string) => ({ id: "call-1", kind: "read", title, status: "pending" });
  const m = applyEvents(initialChatModel(), [
    e("turn_start", { origin: "user" }, "t1"),
    e("tool_call", call("Read a"), "t1"),
    e("turn_end", { stopReason: "end_turn" }, "t1"),
    // After a resume the agent numbers its tool calls from 1 again.
    e("turn_start", { origin: "user" }, "t2"),
    e("tool_call", call("Read b"), "t2"),
    e("tool_result", { id: "call-1", kind: "", title: "", status: "completed" }, "t2"),
    e("turn_end", { stopReason: "end_turn" }, "t2"),
  ]);
  const tools = m.items.filter((i) => i.kind === "tool");
  assertEquals(tools.length, 2, "two turns, two cards");
  const [a, b] = tools;
  assert(a.kind === "tool" && b.kind === "tool");
  assertEquals([a.title, a.status], ["Read a", "pending"], "the first turn's card is untouched");
  assertEquals([b.title, b.status], ["Read b", "completed"]);
});

Deno.test("command palette: the name typed in full comes first (/mode is not /model)", () => {
  const ctx = { commands: [], models: [], modes: [] };
  assertEquals(completions("/mode", ctx)[0].value, "/mode ");
  assertEquals(completions("/mo", ctx).map((c) => c.value), ["/model ", "/mode "]);
});

Deno.test("editor: ↑ puts the cursor at the end of the recalled entry", () => {
  let s = ed.emptyEditor();
  s = ed.commit(ed.insert(s, "first prompt")).state;
  s = ed.up(s);
  assertEquals(s.text, "first prompt");
  assertEquals(s.cursor, "first prompt".length);
});

Deno.test("StatusLine: connecting, not a phase, until connected", async () => {
  const out = await frame(<StatusLine phase="idle" seq={-1} connection="connecting" hint="h" />);
  assertEquals(plainLine(out), "● connecting… seq:-  ·  h");
});

function plainLine(out: string): string {
  return out.split("\n")[0];
}

Deno.test("ChatApp: a prompt the daemon did not take stays in the input; no OS error text", async () => {
  const client: ChatClient = {
    agentrunGet: () => Promise.reject(new Deno.errors.ConnectionRefused("os error 111")),
    agentrunPrompt: () =>
      Promise.reject(new Deno.errors.ConnectionRefused("Connection refused (os error 111)")),
    agentrunCancel: () => Promise.resolve(null),
    agentrunSetModel: () => Promise.resolve(null),
    agentrunSetMode: () => Promise.resolve(null),
    agentrunStatus: () => Promise.reject(new Error("no status")),
    agentrunRespondPermission: () => Promise.reject(new Error("unused")),
    watch: (opts: WatchOptions) => ({
      async *[Symbol.asyncIterator]() {
        // No events: stay open like a live watch, until the chat goes away.
        await new Promise<void>((r) => opts.signal?.addEventListener("abort", () => r()));
        yield* [];
      },
    }),
  };
  const r = render(<ChatApp client={client} workspace="w" name="n" onExit={() => {}} />);
  try {
    await sleep(50);
    r.stdin.write("hello there");
    await until("typed", () => plainFrame(r).includes("hello there"), 5_000);
    r.stdin.write("\r");
    const shown = await until("the failure", () => {
      const f = plainFrame(r);
      return f.includes("daemon unreachable, reconnecting…") && f;
    }, 5_000).catch((err) => {
      throw new Error(`${err.message}:\n${plainFrame(r)}`);
    });
    assert(!/os error/.test(shown), shown);
    await until("the text back in the input", () => {
      const input = plainFrame(r).split("\n").find((l) => l.startsWith(">"));
      return input?.includes("hello there");
    }, 5_000).catch((err) => {
      throw new Error(`${err.message}:\n${plainFrame(r)}`);
    });
  } finally {
    r.unmount();
    r.cleanup();
    await sleep(20);
  }
});
