/**
 * Pure parts of massctl: durations, error lines, socket defaults, event lines, and the
 * turn follower used by `prompt --wait`.
 */
import assert from "node:assert/strict";
import { App, defaultSocketPath } from "../../ctl/cli/app.ts";
import { runCli } from "../../ctl/cli/program.ts";
import { memoryDeps } from "./cli_helpers.ts";
import { formatDuration, parseDuration } from "../../ctl/cli/duration.ts";
import { CliError, describeError, isConnectRefused, oneLine } from "../../ctl/cli/errors.ts";
import { eventSummary, formatEventLine } from "../../ctl/cli/event_format.ts";
import { followTurn } from "../../ctl/cli/turn.ts";
import type { AgentRunEvent } from "../../specs/events.ts";

Deno.test("parseDuration: units, combinations, bare seconds, bad input", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("10m"), 600_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("2"), 2_000);
  assert.equal(parseDuration("1.5s"), 1_500);
  for (const bad of ["", "abc", "10x", "5m junk", "-1s"]) {
    assert.throws(() => parseDuration(bad, "--timeout"), (e) => {
      assert.ok(e instanceof CliError);
      assert.match(e.message, /--timeout/);
      return true;
    });
  }
  assert.equal(formatDuration(600_000), "10m");
  assert.equal(formatDuration(90_000), "1m30s");
  assert.equal(formatDuration(250), "250ms");
});

Deno.test("error lines: one line, no stack", () => {
  assert.equal(oneLine("a\n  b\n\nc"), "a b c");
  const err = new Error("first\nsecond");
  assert.equal(describeError(err), "first second");
  assert.equal(describeError("plain"), "plain");
  assert.ok(isConnectRefused(new Deno.errors.NotFound("No such file or directory (os error 2)")));
  assert.ok(isConnectRefused(new Deno.errors.ConnectionRefused("Connection refused")));
  assert.ok(!isConnectRefused(new Error("method not found")));
});

Deno.test("defaultSocketPath: MASS_SOCKET, then MASS_ROOT, then HOME", () => {
  const env = (vars: Record<string, string>) => (k: string) => vars[k];
  assert.equal(defaultSocketPath(env({ MASS_SOCKET: "/s.sock", MASS_ROOT: "/r" })), "/s.sock");
  assert.equal(defaultSocketPath(env({ MASS_ROOT: "/r", HOME: "/h" })), "/r/mass.sock");
  assert.equal(defaultSocketPath(env({ HOME: "/h" })), "/h/.mass/mass.sock");
});

let seq = 0;
function ev<T extends AgentRunEvent["type"]>(
  type: T,
  payload: Extract<AgentRunEvent, { type: T }>["payload"],
  turnId?: string,
): AgentRunEvent {
  return {
    runId: "w/r",
    seq: seq++,
    time: "2026-01-01T10:00:00.000Z",
    type,
    ...(turnId ? { turnId } : {}),
    payload,
  } as AgentRunEvent;
}
const msg = (text: string, turnId?: string) =>
  ev("agent_message", { status: "streaming", content: { type: "text", text } }, turnId);

async function* stream(events: AgentRunEvent[]): AsyncGenerator<AgentRunEvent> {
  for (const e of events) yield e;
}

Deno.test("followTurn: skips the system-prompt turn and earlier turns, prints only its own", async () => {
  seq = 0;
  const events = [
    ev("turn_start", { origin: "system" }, "t0"),
    msg("system answer", "t0"),
    ev("turn_end", { stopReason: "end_turn" }, "t0"),
    ev("turn_start", { origin: "user" }, "t1"),
    msg("hello-", "t1"),
    msg("world", "t1"),
    ev("agent_thinking", { status: "streaming", content: { type: "text", text: "hmm" } }, "t1"),
    ev("turn_end", { stopReason: "end_turn" }, "t1"),
    msg("later turn", "t2"),
  ];
  // fromSeq points at the end of the system turn: replay starts there.
  const chunks: string[] = [];
  const out = await followTurn(stream(events.slice(2)), {
    fromSeq: 2,
    onText: (t) => chunks.push(t),
  });
  assert.deepEqual(out, { kind: "ended", stopReason: "end_turn" });
  assert.deepEqual(chunks, ["hello-", "world"]);
});

Deno.test("followTurn: a stale turn_end before our turn_start is ignored", async () => {
  seq = 10;
  const chunks: string[] = [];
  const out = await followTurn(
    stream([
      ev("turn_end", { stopReason: "end_turn" }),
      ev("turn_start", { origin: "user" }),
      msg("mine"),
      ev("turn_end", { stopReason: "cancelled" }),
    ]),
    { fromSeq: 10, onText: (t) => chunks.push(t) },
  );
  assert.deepEqual(out, { kind: "ended", stopReason: "cancelled" });
  assert.deepEqual(chunks, ["mine"]);
});

Deno.test("followTurn: error, agent exit and end of stream", async () => {
  seq = 0;
  const onText = () => {};
  assert.deepEqual(
    await followTurn(stream([ev("turn_start", {}), ev("error", { message: "bad" })]), { onText }),
    { kind: "error", message: "bad" },
  );
  assert.equal(
    (await followTurn(
      stream([ev("turn_start", {}), ev("agent_exit", { exitCode: 3, signal: null, reason: "x" })]),
      { onText },
    )).kind,
    "error",
  );
  // An old error at fromSeq (before our turn) does not end the wait.
  seq = 5;
  const out = await followTurn(
    stream([
      ev("error", { message: "old" }),
      ev("turn_start", {}),
      ev("turn_end", {
        stopReason: "end_turn",
      }),
    ]),
    { fromSeq: 5, onText },
  );
  assert.deepEqual(out, { kind: "ended", stopReason: "end_turn" });
  assert.deepEqual(await followTurn(stream([ev("turn_start", {})]), { onText }), {
    kind: "stream_ended",
  });
});

Deno.test("event lines: seq, time, type, short text", () => {
  seq = 7;
  const line = formatEventLine(msg("Hello\nworld " + "x".repeat(200)));
  assert.match(line, /^ {4}7 \d\d:\d\d:\d\d\.000 agent_message +streaming "Hello world x+…"$/);
  assert.ok(line.length < 140);
  assert.equal(eventSummary(ev("turn_end", { stopReason: "end_turn" })), "end_turn");
  // Summaries start in one column, whatever the type.
  const resolved = formatEventLine(ev("permission_resolved", {
    requestId: "r1",
    outcome: "selected",
    optionId: "allow",
    by: "client",
  }));
  const ended = formatEventLine(ev("turn_end", { stopReason: "end_turn" }));
  assert.equal(resolved.indexOf("r1 allow by client"), ended.indexOf("end_turn"));
  assert.equal(
    eventSummary(ev("runtime_update", { phase: { previousPhase: "idle", phase: "running" } })),
    "phase idle → running",
  );
  assert.equal(
    eventSummary(ev("tool_call", { id: "t1", kind: "read", title: "Read a", status: "pending" })),
    't1 read pending "Read a"',
  );
});

Deno.test("confirmDestructive: --yes passes, a pipe proceeds, a terminal is asked", async () => {
  const asked: string[] = [];
  const app = (terminal: boolean, answer: boolean) =>
    new App(
      memoryDeps({
        terminal,
        confirm: (q) => {
          asked.push(q);
          return Promise.resolve(answer);
        },
      }),
      () => undefined,
    );
  await app(false, false).confirmDestructive("delete everything", true);
  await app(false, false).confirmDestructive("delete everything", false);
  assert.deepEqual(asked, [], "never asks without a terminal");
  await app(true, true).confirmDestructive("delete everything", undefined);
  await assert.rejects(() => app(true, false).confirmDestructive("delete it", false), /aborted/);
  assert.deepEqual(asked, ["Delete everything?", "Delete it?"]);
});

Deno.test("runCli in-process: completion prints a script, errors are one line", async () => {
  const deps = memoryDeps();
  assert.equal(await runCli(["completion", "fish"], deps), 0);
  assert.match(deps.stdout(), /^# fish completion for massctl/);
  const bad = memoryDeps();
  assert.equal(await runCli(["completion", "tcsh"], bad), 1);
  assert.match(
    bad.stderr(),
    /^Error: .*'tcsh' is invalid.*Allowed choices are bash, zsh, fish\.\n$/,
  );
});
