/**
 * `massctl agentrun acp` and the run's life beyond one client: permission requests under
 * policy `ask` go to the client and its answer back to the run; a client killed mid-turn
 * leaves the turn running to its end in the log; two clients at once both see every update
 * and only one turn runs at a time.
 */
import assert from "node:assert/strict";
import type * as acp from "@agentclientprotocol/sdk";
import { eventText } from "../../specs/events.ts";
import { until } from "../support/wait.ts";
import {
  agentText,
  createIdleRun,
  daemonWithTester,
  KEY,
  newSession,
  prompt,
  runEvents,
  spawnAcp,
  WAIT_MS,
} from "./acp_helpers.ts";

Deno.test("acp: under policy ask a permission request is forwarded and answered through ARI", async () => {
  const d = await daemonWithTester();
  const p = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "tester", permissions: "ask" });
    const s = await newSession(p);
    p.onPermission = (req) => {
      const allow = req.options.find((o) => o.kind === "allow_once")!;
      return Promise.resolve({ outcome: { outcome: "selected", optionId: allow.optionId } });
    };
    const res = await prompt(p, s.sessionId, "permission edit Edit foo");
    assert.equal(res.stopReason, "end_turn");
    assert.equal(p.permissions.length, 1);
    assert.equal(p.permissions[0].sessionId, s.sessionId);
    assert.equal(p.permissions[0].toolCall.title, "Edit foo");
    assert.equal(agentText(p.updates), "permission:selected:allow_once");
    const resolved = (await runEvents(d.client)).filter((e) => e.type === "permission_resolved");
    assert.deepEqual(resolved.map((e) => [e.payload.by, e.payload.optionId]), [
      ["client", "allow_once"],
    ]);

    // A client that dismisses the question cancels the request.
    p.onPermission = () => Promise.resolve({ outcome: { outcome: "cancelled" } });
    await prompt(p, s.sessionId, "permission execute Run x");
    assert.ok(agentText(p.updates).endsWith("permission:cancelled:none"));
  } finally {
    await p.kill();
    await d.stop();
  }
});

Deno.test("acp: with two clients the first answer wins and the other's question is withdrawn", async () => {
  const d = await daemonWithTester();
  const a = spawnAcp(d.socket);
  const b = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "tester", permissions: "ask" });
    const s = await newSession(a);
    await newSession(b);
    let withdrawn = false;
    b.onPermission = (_req, signal) =>
      new Promise((resolve) =>
        signal.addEventListener("abort", () => {
          withdrawn = true;
          resolve({ outcome: { outcome: "cancelled" } });
        })
      );
    a.onPermission = async (req) => {
      await until("b to be asked too", () => b.permissions.length === 1, WAIT_MS);
      return { outcome: { outcome: "selected", optionId: req.options[0].optionId } };
    };
    await prompt(a, s.sessionId, "permission edit Edit z");
    assert.equal(agentText(a.updates), "permission:selected:allow_once");
    await until("b's question to be withdrawn", () => withdrawn, WAIT_MS);
    const resolved = (await runEvents(d.client)).filter((e) => e.type === "permission_resolved");
    assert.equal(resolved.length, 1);
  } finally {
    await a.kill();
    await b.kill();
    await d.stop();
  }
});

Deno.test("acp: a request already pending when a client attaches is forwarded to it", async () => {
  const d = await daemonWithTester();
  const p = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "tester", permissions: "ask" });
    await d.client.agentrunPrompt({
      ...KEY,
      prompt: [{ type: "text", text: "permission read Read y" }],
    });
    await until(
      "a pending request",
      async () => (await d.client.agentrunPermissions(KEY)).items.length === 1,
      WAIT_MS,
    );
    p.onPermission = (req) =>
      Promise.resolve({ outcome: { outcome: "selected", optionId: req.options[3].optionId } });
    await newSession(p);
    await until(
      "the turn to end",
      () =>
        p.updates.some((u) =>
          u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" &&
          u.content.text === "permission:selected:reject_always"
        ),
      WAIT_MS,
    );
    assert.equal(p.permissions.length, 1);
  } finally {
    await p.kill();
    await d.stop();
  }
});

Deno.test("acp: a client killed mid-turn leaves the turn to finish in the run", async () => {
  const d = await daemonWithTester();
  const p = spawnAcp(d.socket);
  const next = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "tester" });
    const s = await newSession(p);
    const turn = prompt(p, s.sessionId, "say started\ndelay 1500\nsay finished");
    turn.catch(() => {}); // it dies with the client
    await until("the turn to start", () => agentText(p.updates) === "started", WAIT_MS);
    await p.kill();

    await until(
      "the turn to end in the run",
      async () => (await runEvents(d.client)).some((e) => e.type === "turn_end"),
      WAIT_MS,
    );
    const events = await runEvents(d.client);
    assert.equal(events.findLast((e) => e.type === "turn_end")?.payload.stopReason, "end_turn");
    assert.ok(events.some((e) => e.type === "agent_message" && eventText(e) === "finished"));
    assert.equal((await d.client.agentrunGet(KEY)).status.phase, "idle");

    // The next client sees it.
    await newSession(next).then(() => {});
    await next.request("session/load", { sessionId: s.sessionId, cwd: "/", mcpServers: [] });
    assert.ok(agentText(next.updates).endsWith("finished"));
  } finally {
    await p.kill();
    await next.kill();
    await d.stop();
  }
});

Deno.test("acp: two clients see every update; a second prompt waits, bounded, for the first", async () => {
  const d = await daemonWithTester();
  const a = spawnAcp(d.socket);
  const b = spawnAcp(d.socket, ["--busy-timeout", "1s"]);
  const c = spawnAcp(d.socket, ["--busy-timeout", "1m"]);
  try {
    await createIdleRun(d.client, { agent: "tester" });
    const s = await newSession(a);
    await newSession(b);
    await newSession(c);

    const first = prompt(a, s.sessionId, "say from-a\nhang");
    await until("b to see a's turn", () => agentText(b.updates) === "from-a", WAIT_MS);
    // b sees a's prompt as a user message: it is not b's own.
    assert.ok(
      b.updates.some((u) =>
        u.sessionUpdate === "user_message_chunk" && u.content.type === "text" &&
        u.content.text.startsWith("say from-a")
      ),
    );
    // b gives up after its bound, with a clear error; c waits for the turn to end.
    await assert.rejects(
      prompt(b, s.sessionId, "say from-b"),
      (e: { code: number; message: string }) => e.code === -32001 && /busy/.test(e.message),
    );
    const third = prompt(c, s.sessionId, "say from-c");
    await a.conn.agent.notify("session/cancel", { sessionId: s.sessionId });
    assert.equal((await first).stopReason, "cancelled");
    assert.equal((await third).stopReason, "end_turn");
    for (const p of [a, b, c]) {
      await until(
        "every client to see c's answer",
        () => agentText(p.updates) === "from-afrom-c",
        WAIT_MS,
      );
    }
    const kinds = (p: { updates: acp.SessionUpdate[] }) =>
      p.updates.filter((u) => u.sessionUpdate !== "user_message_chunk");
    assert.deepEqual(kinds(a), kinds(b));
    assert.deepEqual(kinds(b), kinds(c));
  } finally {
    await a.kill();
    await b.kill();
    await c.kill();
    await d.stop();
  }
});
