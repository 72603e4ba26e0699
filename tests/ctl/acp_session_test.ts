/**
 * `massctl agentrun acp` as an ACP agent, driven by the SDK's client side against a real
 * daemon and real agent-runs: initialize, session/new, prompts whose updates come back as the
 * ACP updates they were, modes and config options, cancel, session/load replay equal to the
 * log, and --create.
 */
import assert from "node:assert/strict";
import type * as acp from "@agentclientprotocol/sdk";
import { eventToUpdates } from "../../ctl/acp/event_to_updates.ts";
import { deadline, until } from "../support/wait.ts";
import { massctl } from "./cli_helpers.ts";
import {
  agentText,
  createIdleRun,
  daemonWithTester,
  initialize,
  KEY,
  newSession,
  prompt,
  runEvents,
  spawnAcp,
  WAIT_MS,
} from "./acp_helpers.ts";

Deno.test("acp: initialize, session/new and a full turn against the demo agent", async () => {
  const d = await daemonWithTester();
  const p = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "demo" });
    const init = await initialize(p);
    assert.equal(init.protocolVersion, 1);
    assert.equal(init.agentCapabilities?.loadSession, true);
    assert.match(init.agentInfo?.title ?? "", /^mass w\/r \(mass-demo\)$/);
    const meta = init._meta?.mass as { agentInfo: { name: string } };
    assert.equal(meta.agentInfo.name, "mass-demo");

    const s = await p.request<acp.NewSessionResponse>("session/new", { cwd: "/", mcpServers: [] });
    assert.equal(s.sessionId, "mass:w/r");
    assert.equal(s.modes?.currentModeId, "default");
    assert.deepEqual(s.modes?.availableModes.map((m) => m.id), ["default", "plan"]);
    assert.equal(s.configOptions?.[0].id, "model");
    const models = (s as { models?: { currentModelId: string } }).models;
    assert.equal(models?.currentModelId, "demo-small");

    const res = await prompt(p, s.sessionId, "hello there");
    assert.equal(res.stopReason, "end_turn");
    const kinds = new Set(p.updates.map((u) => u.sessionUpdate));
    for (
      const k of ["agent_thought_chunk", "plan", "tool_call", "tool_call_update", "usage_update"]
    ) assert.ok(kinds.has(k as acp.SessionUpdate["sessionUpdate"]), `${k} in ${[...kinds]}`);
    assert.ok(agentText(p.updates).length > 0);
    // The prompting client is not sent its own message back.
    assert.ok(!kinds.has("user_message_chunk"));

    // Mode and config option go through ARI and come back as updates.
    assert.deepEqual(
      await p.request("session/set_mode", { sessionId: s.sessionId, modeId: "plan" }),
      {},
    );
    await until(
      "mode update",
      () =>
        p.updates.some((u) =>
          u.sessionUpdate === "current_mode_update" && u.currentModeId === "plan"
        ),
    );
    const set = await p.request<acp.SetSessionConfigOptionResponse>("session/set_config_option", {
      sessionId: s.sessionId,
      configId: "model",
      value: "demo-large",
    });
    assert.equal(set.configOptions[0].currentValue, "demo-large");
    const st = await d.client.agentrunStatus(KEY);
    assert.equal(st.state.session?.currentMode, "plan");
    assert.equal(st.state.session?.models?.currentModelId, "demo-large");
    // Unstable session/set_model, for clients that still send it.
    await p.request("session/set_model", { sessionId: s.sessionId, modelId: "demo-small" });
    const st2 = await d.client.agentrunStatus(KEY);
    assert.equal(st2.state.session?.models?.currentModelId, "demo-small");
    await assert.rejects(
      p.request("session/set_model", { sessionId: s.sessionId }),
      (e: { code: number }) => e.code === -32602,
    );

    // An unknown session id is -32002.
    await assert.rejects(prompt(p, "nope", "x"), (e: { code: number }) => e.code === -32002);
    assert.equal(await p.close(), 0);
    // The run outlives its client.
    assert.equal((await d.client.agentrunGet(KEY)).status.phase, "idle");
  } finally {
    await p.kill();
    await d.stop();
  }
});

Deno.test("acp: cancel ends the turn with stopReason cancelled", async () => {
  const d = await daemonWithTester();
  const p = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "tester" });
    const s = await newSession(p);
    const turn = prompt(p, s.sessionId, "say before\nhang");
    await until("the turn to start", () => agentText(p.updates).includes("before"), WAIT_MS);
    await p.conn.agent.notify("session/cancel", { sessionId: s.sessionId });
    assert.equal((await turn).stopReason, "cancelled");
    // The run takes the next prompt.
    assert.equal((await prompt(p, s.sessionId, "say after")).stopReason, "end_turn");
    assert.ok(agentText(p.updates).endsWith("after"));
  } finally {
    await p.kill();
    await d.stop();
  }
});

Deno.test("acp: session/load replays the run's log as the updates it came from, then goes live", async () => {
  const d = await daemonWithTester();
  const first = spawnAcp(d.socket);
  const second = spawnAcp(d.socket);
  try {
    await createIdleRun(d.client, { agent: "tester" });
    const s = await newSession(first);
    const script = "thought hmm\nsay one\ntool t1 read Read a\ntool_update t1 completed\n" +
      "plan pending completed\ncommands\nusage 5 100\nstop max_tokens";
    assert.equal((await prompt(first, s.sessionId, script)).stopReason, "max_tokens");
    assert.equal(await first.close(), 0);

    await initialize(second);
    const loaded = await second.request<acp.LoadSessionResponse>("session/load", {
      sessionId: s.sessionId,
      cwd: "/",
      mcpServers: [],
    });
    assert.equal(loaded.modes?.currentModeId, "default");
    const expected = (await runEvents(d.client)).flatMap(eventToUpdates);
    // Everything up to the load answer, and only that, is the replay.
    assert.deepEqual(second.updates, expected);
    const kinds = new Set(expected.map((u) => u.sessionUpdate));
    for (const k of ["user_message_chunk", "agent_thought_chunk", "tool_call", "plan"]) {
      assert.ok(kinds.has(k as acp.SessionUpdate["sessionUpdate"]), k);
    }

    // Live from there.
    assert.equal((await prompt(second, s.sessionId, "say live")).stopReason, "end_turn");
    assert.ok(agentText(second.updates).endsWith("live"));
    await assert.rejects(
      second.request("session/load", { sessionId: "other", cwd: "/", mcpServers: [] }),
      (e: { code: number }) => e.code === -32002,
    );
  } finally {
    await first.kill();
    await second.kill();
    await d.stop();
  }
});

Deno.test("acp: --create makes the run on session/new; without it a missing run is -32002", async () => {
  const d = await daemonWithTester();
  const plain = spawnAcp(d.socket);
  const creating = spawnAcp(d.socket, ["--create", "--agent", "tester"]);
  try {
    await initialize(plain);
    await assert.rejects(
      plain.request("session/new", { cwd: "/", mcpServers: [] }),
      (e: { code: number; message: string }) =>
        e.code === -32002 && /w\/r not found.*--create --agent/.test(e.message),
    );
    const s = await deadline(newSession(creating), 60_000, "session/new with --create");
    assert.equal((await d.client.agentrunGet(KEY)).status.phase, "idle");
    assert.equal((await prompt(creating, s.sessionId, "say made")).stopReason, "end_turn");
    assert.equal(agentText(creating.updates), "made");
  } finally {
    await plain.kill();
    await creating.kill();
    await d.stop();
  }
});

Deno.test("acp: bad flags are one-line errors; EOF before initialize is a clean exit", async () => {
  const d = await daemonWithTester();
  try {
    const ctl = (args: string[]) => massctl(d.socket, ["agentrun", "acp", "r", "-w", "w", ...args]);
    const noAgent = await ctl(["--create"]);
    assert.equal(noAgent.code, 1);
    assert.equal(
      noAgent.stderr,
      "Error: agentrun acp --create needs --agent AGENT (e.g. --agent demo)\n",
    );
    const bad = await ctl(["--busy-timeout", "soon"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Error: invalid --busy-timeout "soon"/);
    const eof = await ctl([]);
    assert.equal(eof.code, 0);
    assert.equal(eof.stdout, "");
  } finally {
    await d.stop();
  }
});
