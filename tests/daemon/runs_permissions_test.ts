/**
 * Policy `ask` over ARI, against a real daemon and agent-run: a permission request shows as
 * `status.pendingPermissions`, is listed by `agentrun/permissions` and answered by
 * `agentrun/respond_permission`; the count survives an agentd restart and is gone once the
 * agent-run is.
 */
import assert from "node:assert/strict";
import type { RunKey } from "../../specs/ari.ts";
import { eventText } from "../../specs/events.ts";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { isMutating } from "../../specs/ari_methods.ts";
import { codeOf as code } from "../support/rpc.ts";
import { until } from "../support/wait.ts";
import {
  ariRun,
  createIdle,
  startRunsDaemon,
  text,
  turnEvents,
  waitPhase,
  withRunsDaemon,
} from "./runs_helpers.ts";

function pendingCount(c: AriClient, key: RunKey, n: number) {
  return until(`pendingPermissions = ${n}`, async () => {
    const run = await c.agentrunGet(key);
    return run.status.pendingPermissions === n ? run : undefined;
  });
}

Deno.test("respond_permission waits for recovery; listing does not", () => {
  assert.ok(isMutating("agentrun/respond_permission"));
  assert.ok(!isMutating("agentrun/permissions"));
});

Deno.test("ari: ask → pending 1 → approve → pending 0; -32602/-32001 where due", async () => {
  const key = { workspace: "ws", name: "p" };
  await withRunsDaemon(async ({ client: c }) => {
    const idle = await createIdle(c, key, { agent: "test", permissions: "ask" });
    assert.equal(idle.status.pendingPermissions, 0);
    assert.deepEqual(await c.agentrunPermissions(key), { items: [] });

    const acc = await c.agentrunPrompt({ ...key, prompt: text("permission edit Edit main.ts") });
    const waiting = await pendingCount(c, key, 1);
    assert.equal(waiting.status.phase, "running");
    assert.equal((await c.agentrunList()).items[0].status.pendingPermissions, 1, "list too");
    const { items } = await c.agentrunPermissions(key);
    assert.equal(items.length, 1);
    assert.equal(items[0].toolCall.title, "Edit main.ts");

    // Bad answers leave it pending.
    const answer = (extra: Record<string, unknown>) =>
      c.request("agentrun/respond_permission", { ...key, ...extra });
    assert.equal(await code(answer({ requestId: "nope", optionId: "allow_once" })), -32602);
    assert.equal(await code(answer({ requestId: items[0].requestId })), -32602);
    assert.equal(
      await code(answer({ requestId: items[0].requestId, optionId: "x", cancel: true })),
      -32602,
    );
    assert.equal(
      await code(answer({ requestId: items[0].requestId, optionId: "not-an-option" })),
      -32602,
    );
    assert.equal(await code(answer({ requestId: "x", optionId: "y", name: "../x" })), -32602);
    assert.equal((await c.agentrunGet(key)).status.pendingPermissions, 1);

    const res = await c.agentrunRespondPermission({
      ...key,
      requestId: items[0].requestId,
      optionId: "allow_once",
    });
    assert.deepEqual(res, {
      requestId: items[0].requestId,
      outcome: "selected",
      optionId: "allow_once",
    });
    await pendingCount(c, key, 0);
    const events = await turnEvents(c, key, acc.fromSeq);
    assert.equal(
      events.filter((e) => e.type === "agent_message").map(eventText).join(""),
      "permission:selected:allow_once",
    );
    const kinds = events.filter((e) => e.type.startsWith("permission_")).map((e) => e.type);
    assert.deepEqual(kinds, ["permission_request", "permission_resolved"]);
    await waitPhase(ariRun(c, key), key, "idle");

    // Deny picks the reject option; cancel: true answers cancelled.
    await c.agentrunPrompt({ ...key, prompt: text("permission execute Run x") });
    await pendingCount(c, key, 1);
    const [second] = (await c.agentrunPermissions(key)).items;
    const denied = await c.agentrunRespondPermission({
      ...key,
      requestId: second.requestId,
      cancel: true,
    });
    assert.deepEqual(denied, { requestId: second.requestId, outcome: "cancelled" });
    await pendingCount(c, key, 0);
    await waitPhase(ariRun(c, key), key, "idle");

    await c.agentrunStop(key);
    const stopped = await c.agentrunGet(key);
    assert.equal(stopped.status.pendingPermissions, undefined, "no agent-run, no count");
    assert.equal(await code(c.agentrunPermissions(key)), -32001);
    assert.equal(
      await code(c.agentrunRespondPermission({ ...key, requestId: "r", optionId: "o" })),
      -32001,
    );
    assert.equal(await code(c.agentrunPermissions({ workspace: "ws", name: "ghost" })), -32602);
  });
});

Deno.test("ari: a pending request is counted again after an agentd restart", async () => {
  let d = await startRunsDaemon();
  const root = d.root;
  const key = { workspace: "ws", name: "q" };
  try {
    await d.client.agentrunCreate({ metadata: key, spec: { agent: "test", permissions: "ask" } });
    await waitPhase(ariRun(d.client, key), key, "idle");
    await d.client.agentrunPrompt({ ...key, prompt: text("permission edit Edit y") });
    await pendingCount(d.client, key, 1);
    d.client.close();
    await d.daemon.close();

    d = await startRunsDaemon(root);
    const run = await pendingCount(d.client, key, 1);
    assert.equal(run.status.phase, "running");
    const [item] = (await d.client.agentrunPermissions(key)).items;
    await d.client.agentrunRespondPermission({ ...key, requestId: item.requestId, cancel: true });
    await pendingCount(d.client, key, 0);
    await waitPhase(ariRun(d.client, key), key, "idle");

    // Stopping with a request pending resolves it (cancelled) and drops the count.
    await d.client.agentrunPrompt({ ...key, prompt: text("permission edit Edit z") });
    await pendingCount(d.client, key, 1);
    await d.client.agentrunStop(key);
    assert.equal((await d.client.agentrunGet(key)).status.pendingPermissions, undefined);
  } finally {
    await d.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
