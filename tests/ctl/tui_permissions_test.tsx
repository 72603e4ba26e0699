/**
 * The chat TUI and policy `ask`: the reducer keeps pending requests until they resolve, the
 * dialog shows the oldest one, and y / a / n / Esc answer or put it aside.
 */
import { assert, assertEquals } from "./tui_assert.ts";
import { render } from "ink-testing-library";
import type { AriRespondPermissionParams } from "../../specs/ari.ts";
import type {
  AgentRunEvent,
  PermissionAnswer,
  PermissionRequestPayload,
} from "../../specs/events.ts";
import type { WatchOptions } from "../../ctl/client/ari_client.ts";
import {
  activePermission,
  applyEvents,
  chatReducer,
  initialChatModel,
} from "../../ctl/tui/chat_state.ts";
import { ChatApp, type ChatClient } from "../../ctl/tui/chat.tsx";
import { PermissionDialog } from "../../ctl/tui/components/PermissionDialog.tsx";
import { StatusLine } from "../../ctl/tui/components/StatusLine.tsx";
import { approveOption, denyChoice } from "../../ctl/client/permission_choice.ts";
import { pickRequest } from "../../ctl/cli/permissions.ts";
import { sleep, until } from "../support/wait.ts";
import { frame, plainFrame, stream } from "./tui_helpers.ts";

const OPTIONS = ["allow_once", "allow_always", "reject_once", "reject_always"].map((k) => ({
  optionId: k,
  name: k.replace("_", " "),
  kind: k,
}));

function request(requestId: string, title: string): PermissionRequestPayload {
  return {
    requestId,
    toolCall: { toolCallId: `t-${requestId}`, title, kind: "edit" },
    options: OPTIONS,
  };
}

Deno.test("reducer: requests wait oldest first until resolved; a notice says how", () => {
  const e = stream();
  let m = applyEvents(initialChatModel(), [
    e("agent_message", { status: "start", content: { type: "text", text: "hi" } }, "t1"),
    e("permission_request", request("p1", "Edit a.ts"), "t1"),
    e("permission_request", request("p2", "Run tests"), "t1"),
  ]);
  assertEquals(m.permissions.map((p) => [p.requestId, p.title, p.toolKind]), [
    ["p1", "Edit a.ts", "edit"],
    ["p2", "Run tests", "edit"],
  ]);
  assertEquals(m.open, undefined, "a request ends the streamed block");
  assertEquals(activePermission(m)?.requestId, "p1");

  m = applyEvents(m, [
    e("permission_resolved", {
      requestId: "p1",
      outcome: "selected",
      optionId: "allow_once",
      by: "client",
    }, "t1"),
  ]);
  assertEquals(m.permissions.map((p) => p.requestId), ["p2"]);
  const last = m.items.at(-1);
  assert(last?.kind === "notice");
  assertEquals(last.text, "permission allow_once: Edit a.ts");

  m = applyEvents(m, [
    e("permission_resolved", {
      requestId: "p2",
      outcome: "selected",
      optionId: "reject_once",
      by: "timeout",
    }, "t1"),
  ]);
  assertEquals(m.permissions, []);
  const timedOut = m.items.at(-1);
  assert(timedOut?.kind === "notice");
  assertEquals([timedOut.level, timedOut.text], [
    "warn",
    "permission reject_once (timeout): Run tests",
  ]);

  // A fixed policy's decision (no request seen) changes nothing and adds no notice.
  const before = m.items.length;
  m = applyEvents(m, [
    e("permission_resolved", {
      requestId: "x",
      outcome: "selected",
      optionId: "allow_once",
      by: "policy",
      policy: "approve_all",
    }),
  ]);
  assertEquals(m.items.length, before);
});

Deno.test("reducer: Esc dismisses, /permissions restores; agent exit and a new session clear", () => {
  const e = stream();
  const asked = [
    e("permission_request", request("p1", "A")),
    e("permission_request", request("p2", "B")),
  ];
  let m = applyEvents(initialChatModel(), asked);
  m = chatReducer(m, { type: "permission_dismiss", requestId: "p1" });
  assertEquals(activePermission(m)?.requestId, "p2");
  assertEquals(m.permissions.length, 2, "still pending");
  m = chatReducer(m, { type: "permission_dismiss", requestId: "p2" });
  assertEquals(activePermission(m), undefined);
  m = chatReducer(m, { type: "permission_restore" });
  assertEquals(activePermission(m)?.requestId, "p1");
  // Replayed (a resumed watch): seq dedups it.
  assertEquals(applyEvents(m, asked).permissions.length, 2);

  const exited = applyEvents(m, [
    e("agent_exit", { exitCode: null, signal: "SIGKILL", reason: "killed" }),
  ]);
  assertEquals(exited.permissions, []);
  const restarted = applyEvents(m, [
    e("session_start", { sessionId: "s2", mode: "resume" }),
  ]);
  assertEquals(restarted.permissions, []);
});

Deno.test("choices: approve prefers allow_once (a: allow_always); deny reject_once, else cancel", () => {
  const item = { options: OPTIONS };
  assertEquals(approveOption(item)?.optionId, "allow_once");
  assertEquals(approveOption(item, true)?.optionId, "allow_always");
  assertEquals(approveOption({ options: OPTIONS.slice(1) })?.optionId, "allow_always");
  assertEquals(approveOption({ options: OPTIONS.slice(2) }), undefined);
  assertEquals(denyChoice(item), { optionId: "reject_once" });
  assertEquals(denyChoice({ options: OPTIONS.slice(3) }), { optionId: "reject_always" });
  assertEquals(denyChoice({ options: OPTIONS.slice(0, 2) }), { cancel: true });
  const pending = [
    { ...request("a", "A"), createdAt: "" },
    { ...request("b", "B"), createdAt: "" },
  ];
  assertEquals(pickRequest(pending)?.requestId, "a");
  assertEquals(pickRequest(pending, "b")?.requestId, "b");
  assertEquals(pickRequest(pending, "zz"), undefined);
  assertEquals(pickRequest([]), undefined);
});

Deno.test("PermissionDialog and StatusLine render the request and the pending count", async () => {
  const out = await frame(
    <PermissionDialog
      request={{ requestId: "p1", title: "Edit main.ts", toolKind: "edit", options: OPTIONS }}
      pending={2}
    />,
  );
  assert(out.includes("Permission: Edit main.ts (edit) (1 of 2 pending)"), out);
  assert(out.includes("options: allow once · allow always · reject once · reject always"), out);
  assert(out.includes("y allow · a allow always · n deny · esc later"), out);
  const status = await frame(
    <StatusLine phase="running" seq={7} connection="live" hint="h" pendingPermissions={1} />,
  );
  assert(status.includes("running seq:7 ⚠ 1 permission pending"), status);
});

/** A ChatClient that replays `events` and records permission answers. */
function fakeClient(events: AgentRunEvent[]) {
  const answers: AriRespondPermissionParams[] = [];
  const client: ChatClient = {
    agentrunGet: () => Promise.reject(new Error("unused")),
    agentrunPrompt: () => Promise.reject(new Error("unused")),
    agentrunCancel: () => Promise.resolve(null),
    agentrunSetModel: () => Promise.resolve(null),
    agentrunSetMode: () => Promise.resolve(null),
    agentrunStatus: () => Promise.reject(new Error("no status")),
    agentrunRespondPermission: (p): Promise<PermissionAnswer> => {
      answers.push(p);
      return Promise.resolve({ requestId: p.requestId, outcome: "cancelled" });
    },
    watch: (opts: WatchOptions) => ({
      async *[Symbol.asyncIterator]() {
        yield* events;
        // Then stay open like a live watch, until the chat goes away.
        await new Promise<void>((r) => opts.signal?.addEventListener("abort", () => r()));
      },
    }),
  };
  return { client, answers };
}

function waitFrame(r: ReturnType<typeof render>, text: string): Promise<string> {
  return until(`a frame with ${JSON.stringify(text)}`, () => {
    const f = plainFrame(r);
    return f.includes(text) && f;
  }, 5_000).catch((err) => {
    throw new Error(`${err.message}:\n${r.lastFrame()}`);
  });
}

Deno.test("ChatApp: the dialog shows the request; y, a and n answer; Esc leaves it pending", async () => {
  const e = stream();
  const { client, answers } = fakeClient([
    e("permission_request", request("p1", "Edit one")),
    e("permission_request", request("p2", "Edit two")),
    e("permission_request", request("p3", "Edit three")),
    e("permission_request", request("p4", "Edit four")),
  ]);
  const r = render(<ChatApp client={client} workspace="w" name="n" onExit={() => {}} />);
  try {
    const first = await waitFrame(r, "Permission: Edit one");
    assert(first.includes("(1 of 4 pending)"), first);
    assert(first.includes("4 permissions pending"), first);
    r.stdin.write("y");
    await until("the first answer", () => answers.length === 1, 5_000);
    assertEquals(answers[0], {
      workspace: "w",
      name: "n",
      requestId: "p1",
      optionId: "allow_once",
    });
    // Answered requests hide at once; the next one shows.
    await waitFrame(r, "Permission: Edit two");
    r.stdin.write("a");
    await until("the second answer", () => answers.length === 2, 5_000);
    assertEquals(answers[1].optionId, "allow_always");
    await waitFrame(r, "Permission: Edit three");
    r.stdin.write("\x1b");
    await waitFrame(r, "Permission: Edit four");
    r.stdin.write("n");
    await until("the deny", () => answers.length === 3, 5_000);
    assertEquals(answers[2], {
      workspace: "w",
      name: "n",
      requestId: "p4",
      optionId: "reject_once",
    });
    // Nothing left to show, but all four still count as pending until resolved.
    const none = await waitFrame(r, "4 permissions pending");
    assert(!none.includes("Permission:"), none);
    assertEquals(answers.length, 3, "Esc answered nothing");
  } finally {
    r.unmount();
    r.cleanup();
    await sleep(20);
  }
});
