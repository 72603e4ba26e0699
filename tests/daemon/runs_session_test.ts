/**
 * agentrun/set_model, agentrun/set_mode and agentrun/status over ARI, against a real daemon
 * and the demo agent (modes default|plan, model option demo-small|demo-large).
 */
import assert from "node:assert/strict";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { readEventFiles } from "../../specs/eventlog/mod.ts";
import { startDaemon } from "../../daemon/main.ts";
import { AriMethods } from "../../specs/ari_methods.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { codeOf as code } from "../support/rpc.ts";
import { collect, createIdle, withRunsDaemon } from "./runs_helpers.ts";

const key = { workspace: "ws", name: "chat" };

function audited(operation: string): (ev: AgentRunEvent) => boolean {
  return (ev) =>
    ev.type === "runtime_update" && ev.payload.operationAudit?.operation === operation &&
    ev.payload.operationAudit.success;
}

function currentModelOption(options: unknown[] | undefined): unknown {
  const opt = (options ?? []).find((o) => (o as { category?: string }).category === "model");
  return (opt as { currentValue?: unknown } | undefined)?.currentValue;
}

Deno.test("session: set_mode and set_model reach the live agent-run; status shows them", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    await createIdle(c, key, { agent: "demo" });

    const before = await c.agentrunStatus(key);
    assert.equal(before.state.phase, "idle");
    assert.equal(before.state.session?.currentMode, "default");
    assert.equal(before.state.session?.models?.currentModelId, "demo-small");
    assert.deepEqual(
      before.state.session?.models?.availableModels.map((m) => m.modelId).sort(),
      ["demo-large", "demo-small"],
    );
    assert.ok((before.state.session?.availableCommands ?? []).length > 0, "commands reported");
    assert.ok(before.recovery.lastSeq >= 0);

    // Watch from just after the status, so only what set_mode causes is seen.
    const events = c.watch({ ...key, fromSeq: before.recovery.lastSeq + 1 });
    const seen = collect(events, audited("set_mode"));
    assert.equal(await c.agentrunSetMode({ ...key, modeId: "plan" }), null);
    // Recorded by the time the call returns, not only once the agent's update arrives.
    assert.equal((await c.agentrunStatus(key)).state.session?.currentMode, "plan");
    // The mode change comes as an event before the audit of the call.
    const got = await seen;
    assert.ok(got.every((ev) => ev.seq > before.recovery.lastSeq));
    assert.ok(
      got.some((ev) => ev.type === "runtime_update" && ev.payload.currentMode?.modeId === "plan"),
      `a currentMode event: ${JSON.stringify(got.map((ev) => ev.payload))}`,
    );

    assert.equal(await c.agentrunSetModel({ ...key, modelId: "demo-large" }), null);
    const after = await c.agentrunStatus(key);
    assert.equal(after.state.session?.models?.currentModelId, "demo-large");
    assert.equal(currentModelOption(after.state.session?.configOptions), "demo-large");
    assert.equal(after.state.session?.currentMode, "plan");
    assert.ok(after.recovery.lastSeq > before.recovery.lastSeq);

    // The agent's own refusal comes back with its code, and changes nothing.
    assert.equal(await code(c.agentrunSetModel({ ...key, modelId: "no-such-model" })), -32602);
    assert.equal(await code(c.agentrunSetMode({ ...key, modeId: "no-such-mode" })), -32602);
    const still = await c.agentrunStatus(key);
    assert.equal(still.state.session?.models?.currentModelId, "demo-large");
    assert.equal(still.state.session?.currentMode, "plan");
    await c.agentrunStop(key);
  });
});

Deno.test("session: set_config_option reaches the agent; status shows modes and options", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    await createIdle(c, key, { agent: "demo" });
    const before = await c.agentrunStatus(key);
    assert.deepEqual(before.state.session?.availableModes?.map((m) => m.id), ["default", "plan"]);

    const res = await c.call(AriMethods.agentrunSetConfigOption, {
      ...key,
      configId: "model",
      value: "demo-large",
    });
    assert.equal(currentModelOption(res.configOptions ?? []), "demo-large");
    const after = await c.agentrunStatus(key);
    assert.equal(currentModelOption(after.state.session?.configOptions), "demo-large");
    assert.equal(after.state.session?.models?.currentModelId, "demo-large");

    const bad = { ...key, configId: "model", value: "no-such-model" };
    assert.equal(await code(c.call(AriMethods.agentrunSetConfigOption, bad)), -32602);
    const noValue = { ...key, configId: "model" };
    assert.equal(await code(c.request(AriMethods.agentrunSetConfigOption, noValue)), -32602);
    await c.agentrunStop(key);
    assert.equal(
      await code(c.call(AriMethods.agentrunSetConfigOption, { ...key, configId: "m", value: "x" })),
      -32001,
    );
  });
});

Deno.test("session: unknown run and bad params are -32602", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const nope = { workspace: "ws", name: "nope" };
    assert.equal(await code(c.agentrunSetModel({ ...nope, modelId: "m" })), -32602);
    assert.equal(await code(c.agentrunSetMode({ ...nope, modeId: "plan" })), -32602);
    assert.equal(await code(c.agentrunStatus(nope)), -32602);
    assert.equal(await code(c.agentrunStatus({ workspace: "nows", name: "x" })), -32602);
    assert.equal(await code(c.agentrunStatus({ workspace: "ws", name: "../x" })), -32602);
    assert.equal(await code(c.request(AriMethods.agentrunSetModel, { ...nope })), -32602);
    assert.equal(await code(c.call(AriMethods.agentrunSetModel, { ...nope, modelId: "" })), -32602);
    assert.equal(await code(c.request(AriMethods.agentrunSetMode, { ...nope, modeId: 7 })), -32602);
    assert.equal(await code(c.request(AriMethods.agentrunStatus, null)), -32602);
    assert.equal(await code(c.request(AriMethods.agentrunStatus, { name: "x" })), -32602);
  });
});

Deno.test("session: a stopped run refuses set_* (-32001); status reads its state.json", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    await createIdle(c, key, { agent: "demo" });
    await c.agentrunSetMode({ ...key, modeId: "plan" });
    await c.agentrunStop(key);
    const stopped = await c.agentrunGet(key);
    assert.equal(stopped.status.phase, "stopped");

    assert.equal(await code(c.agentrunSetModel({ ...key, modelId: "demo-large" })), -32001);
    assert.equal(await code(c.agentrunSetMode({ ...key, modeId: "default" })), -32001);

    const st = await c.agentrunStatus(key);
    assert.equal(st.state.phase, "stopped");
    assert.equal(st.state.session?.currentMode, "plan");
    assert.equal(st.state.session?.models?.currentModelId, "demo-small");
    let lastInLog = -1;
    for await (const ev of readEventFiles(`${stopped.status.bundle}/events`, 0)) {
      lastInLog = ev.seq;
    }
    assert.equal(st.recovery.lastSeq, lastInLog);
    assert.equal(st.recovery.lastSeq, stopped.status.lastSeq);

    // Without a state.json there is nothing to report.
    await Deno.remove(`${stopped.status.bundle}/state.json`);
    assert.equal(await code(c.agentrunStatus(key)), -32001);
  });
});

Deno.test("session: set_model and set_mode wait for recovery; status does not", async () => {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inRecovery = new Promise<void>((r) => (entered = r));
  const daemon = await startDaemon({
    root,
    duringRecovery: () => {
      entered();
      return held;
    },
  });
  let client: AriClient | undefined;
  try {
    await inRecovery;
    client = await AriClient.connect(daemon.paths.socket, { requestTimeoutMs: 20_000 });
    const k = { workspace: "ws", name: "a" };
    assert.equal(await code(client.agentrunSetModel({ ...k, modelId: "m" })), -32001);
    assert.equal(await code(client.agentrunSetMode({ ...k, modeId: "plan" })), -32001);
    // A read: answered during recovery (here: the run does not exist).
    assert.equal(await code(client.agentrunStatus(k)), -32602);
  } finally {
    release();
    client?.close();
    await daemon.recovered;
    await daemon.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
