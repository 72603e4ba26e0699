import assert from "node:assert/strict";
import { errorCode } from "../../specs/errors.ts";
import { eventText } from "../../specs/events.ts";
import { agentPids, pidAlive, waitGone } from "../support/process.ts";
import { codeOf } from "../support/rpc.ts";
import {
  ariRun,
  collect,
  createIdle,
  envelope,
  isPhase,
  logEvents,
  TEST_AGENT,
  text,
  turnEvents,
  waitPhase,
  waitRestarted,
  withRunsDaemon,
} from "./runs_helpers.ts";

const key = { workspace: "ws", name: "a" };

Deno.test("ari: create validation errors", async () => {
  await withRunsDaemon(async ({ client: c, root }) => {
    const run = (name: string, agent = "test", workspace = "ws") => ({
      metadata: { workspace, name },
      spec: { agent },
    });
    const create = (...args: Parameters<typeof run>) => codeOf(c.agentrunCreate(run(...args)));
    assert.equal(await create("../x"), -32602);
    assert.equal(await create("a", "test", "Bad/ws"), -32602);
    assert.equal(await create("x".repeat(63)), -32602, "socket path too long");
    assert.equal(await create("a", "test", "nows"), -32602);
    assert.equal(await create("a", "nosuchagent"), -32602);
    await c.agentCreate({
      metadata: { name: "off" },
      spec: { command: "true", disabled: true },
    });
    assert.equal(await create("a", "off"), -32602);
    assert.equal(await codeOf(c.agentrunStop({ workspace: "ws", name: "nope" })), -32602);
    assert.equal(await codeOf(c.agentrunGet({ workspace: "ws", name: "nope" })), -32602);
    assert.equal(
      await codeOf(c.call("agentrun/watch", { workspace: "ws", name: "nope", watchId: "w" })),
      -32602,
    );
    assert.equal((await c.agentrunList()).items.length, 0, "nothing was recorded");
    await assert.rejects(Deno.stat(`${root}/runs/ws/a`), Deno.errors.NotFound);
  });
});

Deno.test("ari: lifecycle of a test-agent run: prompt, watch, busy, cancel, stop, delete", async () => {
  await withRunsDaemon(async ({ client: c, root }) => {
    const created = await c.agentrunCreate({ metadata: key, spec: { agent: "test" } });
    assert.equal(created.status.phase, "creating");
    await assert.rejects(
      c.agentrunCreate({ metadata: key, spec: { agent: "test" } }),
      (e) => errorCode(e) === -32001,
    );
    const idle = await waitPhase(ariRun(c, key), key, ["idle", "error"]);
    assert.equal(idle.status.phase, "idle", idle.status.errorMessage);
    assert.equal(idle.status.socketPath, `${root}/runs/ws/a/agent-run.sock`);

    const acc = await c.agentrunPrompt({ ...key, prompt: text("delay 300\nchunks 20") });
    assert.equal(acc.accepted, true);
    await assert.rejects(
      c.agentrunPrompt({ ...key, prompt: text("say no") }),
      (e) => errorCode(e) === -32001,
    );
    const turn = await turnEvents(c, key, acc.fromSeq);
    assert.equal(turn[0].seq, acc.fromSeq);
    const chunks = turn.filter((e) => e.type === "agent_message");
    assert.ok(chunks.length >= 20);
    const onDisk = await logEvents(idle.status.bundle!, acc.fromSeq);
    assert.deepEqual(turn.map(envelope), onDisk.slice(0, turn.length), "watch == event log");
    assert.equal((turn[0] as { workspace?: string }).workspace, "ws");
    await waitPhase(ariRun(c, key), key, "idle");

    // Cancel ends a hanging turn.
    const hang = await c.agentrunPrompt({ ...key, prompt: text("hang") });
    // The agent-run has started the turn once it reports `running` (our reservation is earlier).
    await collect(c.watch({ ...key, fromSeq: hang.fromSeq }), isPhase("running"));
    await c.agentrunCancel(key);
    const ended = await turnEvents(c, key, hang.fromSeq);
    assert.equal((ended.at(-1)!.payload as { stopReason: string }).stopReason, "cancelled");
    await waitPhase(ariRun(c, key), key, "idle");

    const agent = agentPids(idle.status.bundle!);
    assert.ok(agent.length > 0);
    assert.equal(await c.agentrunStop(key), null);
    const stopped = await c.agentrunGet(key);
    assert.equal(stopped.status.phase, "stopped");
    assert.ok(!pidAlive(idle.status.pid!), "agent-run gone");
    await waitGone(agent, "agent gone");
    await assert.rejects(c.agentrunCancel(key), (e) => errorCode(e) === -32001);
    await assert.rejects(
      c.agentrunPrompt({ ...key, prompt: text("x") }),
      (e) => errorCode(e) === -32001,
    );

    // A stopped run's events can still be watched (from the log).
    const replay = await collect(
      c.watch({ ...key, fromSeq: 0 }),
      (ev) => ev.seq === stopped.status.lastSeq,
    );
    assert.deepEqual(replay.map(envelope), await logEvents(idle.status.bundle!));

    assert.equal(await c.agentrunDelete(key), null);
    await assert.rejects(Deno.stat(idle.status.bundle!), Deno.errors.NotFound);
    await assert.rejects(c.agentrunGet(key), (e) => errorCode(e) === -32602);
  });
});

Deno.test("ari: demo agent run reaches idle and answers a prompt", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    await createIdle(c, key, { agent: "demo" });
    const acc = await c.agentrunPrompt({ ...key, prompt: text("hello there") });
    const turn = await turnEvents(c, key, acc.fromSeq);
    assert.equal(turn.at(-1)?.type, "turn_end");
    assert.ok(turn.some((e) => e.type === "agent_message"));
    await c.agentrunStop(key);
  });
});

Deno.test("ari: delete refuses a live run; restart keeps seq and resumes the session", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const first = await createIdle(c, key);
    await assert.rejects(c.agentrunDelete(key), (e) => errorCode(e) === -32001);
    const acc = await c.agentrunPrompt({ ...key, prompt: text("say before") });
    await turnEvents(c, key, acc.fromSeq);
    await waitPhase(ariRun(c, key), key, "idle");

    const marked = await c.agentrunRestart(key);
    assert.equal(marked.status.phase, "restarting");
    const again = await waitRestarted(c, key, first.status.pid, "restarted");
    assert.equal(again.status.sessionId, first.status.sessionId, "ACP session resumed");
    assert.equal(again.status.restartCount ?? 0, 0, "only restarts by policy are counted");
    const log = await logEvents(first.status.bundle!);
    assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i));
    const starts = log.filter((e) => e.type === "session_start");
    assert.equal(starts.length, 2);
    assert.equal((starts[1].payload as { mode: string }).mode, "resume");

    const acc2 = await c.agentrunPrompt({ ...key, prompt: text("say after") });
    assert.ok(acc2.fromSeq! > acc.fromSeq!);
    await turnEvents(c, key, acc2.fromSeq);
    await c.agentrunStop(key);
  });
});

Deno.test("ari: a run with a system prompt gets its system turn, on create and on restart", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const idle = await createIdle(c, key, { agent: "test", systemPrompt: "delay 400\nsay ready" });
    const first = await logEvents(idle.status.bundle!);
    const systemTurn = first.filter((e) => e.type === "turn_start");
    assert.equal(systemTurn.length, 1);
    assert.equal((systemTurn[0].payload as { origin?: string }).origin, "system");
    assert.ok(first.some((e) => e.type === "agent_message" && /ready/.test(eventText(e))));

    await c.agentrunRestart(key);
    const again = await waitRestarted(c, key, idle.status.pid, "restarted");
    assert.equal(again.status.errorMessage, undefined);
    await c.agentrunStop(key);
  });
});

Deno.test("ari: a cancel sent right after the prompt is accepted ends the turn", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    await createIdle(c, key);
    for (let i = 0; i < 4; i++) {
      const acc = await c.agentrunPrompt({ ...key, prompt: text("hang") });
      await c.agentrunCancel(key);
      const turn = await turnEvents(c, key, acc.fromSeq);
      const end = turn.at(-1);
      assert.ok(end?.type === "turn_end" && end.payload.stopReason === "cancelled");
      await waitPhase(ariRun(c, key), key, "idle", 10_000);
    }
    await c.agentrunStop(key);
  });
});

Deno.test("ari: a failed bootstrap shows the agent's reason, not how it was stopped", async () => {
  await withRunsDaemon(async (d) => {
    const c = d.client;
    await c.agentCreate({
      metadata: { name: "noauth" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT, "--auth-required"] },
    });
    // session/new refused: the agent-run exits before its socket appears.
    const early = { workspace: "ws", name: "early" };
    await c.agentrunCreate({ metadata: early, spec: { agent: "noauth" } });
    const a = await waitPhase(ariRun(c, early), early, ["error", "stopped", "idle"]);
    assert.equal(a.status.phase, "error");
    assert.match(a.status.errorMessage ?? "", /auth/i, JSON.stringify(a.status));
    // The system-prompt turn fails after the socket is up (the test agent runs the line).
    const late = { workspace: "ws", name: "late" };
    await c.agentrunCreate({
      metadata: late,
      spec: { agent: "test", systemPrompt: "error -32000 Authentication required" },
    });
    const b = await waitPhase(ariRun(c, late), late, ["error", "stopped", "idle"]);
    assert.equal(b.status.phase, "error");
    assert.match(b.status.errorMessage ?? "", /Authentication required/, JSON.stringify(b.status));
  });
});
