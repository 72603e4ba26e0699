/**
 * Policy `ask` on a real agent-run: permission requests wait as pending items that a client
 * lists (`session/permissions`) and answers (`session/respond_permission`); a timeout rejects
 * them, a turn cancel or a stop resolves them as cancelled. Fixed policies record their
 * decisions as `permission_resolved{by: "policy"}`.
 */
import assert from "node:assert/strict";
import type { AgentRunEvent, PendingPermission, PermissionAnswer } from "../../specs/events.ts";
import { type PermissionsResult, RunnerMethods } from "../../specs/runner_rpc.ts";
import type { RuntimeConfigInput } from "../../specs/runtime.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { codeOf } from "../support/rpc.ts";
import { deadline, until } from "../support/wait.ts";
import { EventCollector, text, waitForPhase, withIdleRunner, withRunner } from "./harness.ts";

/** An idle agent-run under policy `permissions`, with a live watch. */
function withAsk(
  runtime: RuntimeConfigInput["runtime"],
  fn: (t: { peer: RpcPeer; watch: EventCollector }) => Promise<void>,
  permissions: "ask" | "approve_reads" = "ask",
): Promise<void> {
  return withIdleRunner({ session: { permissions, mcpServers: [] }, runtime }, fn);
}

function pending(peer: RpcPeer): Promise<PendingPermission[]> {
  return peer.request<PermissionsResult>(RunnerMethods.permissions, null).then((r) => r.items);
}

/** Waits until `n` requests are pending; returns them. */
function waitPending(peer: RpcPeer, n = 1): Promise<PendingPermission[]> {
  return until(`${n} pending permission request(s)`, async () => {
    const items = await pending(peer);
    return items.length === n ? items : undefined;
  }, 20_000);
}

function respond(peer: RpcPeer, params: Record<string, unknown>): Promise<PermissionAnswer> {
  return peer.request<PermissionAnswer>(RunnerMethods.respondPermission, params);
}

function agentText(events: AgentRunEvent[], turnId: string): string {
  return events
    .filter((e) => e.type === "agent_message" && e.turnId === turnId)
    .map((e) => e.type === "agent_message" ? String(e.payload.content.text ?? "") : "")
    .join("");
}

function ofType<T extends AgentRunEvent["type"]>(events: AgentRunEvent[], type: T) {
  return events.filter((e): e is Extract<AgentRunEvent, { type: T }> => e.type === type);
}

Deno.test("ask: a request waits, is listed, and the client's option reaches the agent", async () => {
  await withAsk({}, async ({ peer, watch }) => {
    const turn = peer.request<{ turnId: string }>(
      RunnerMethods.prompt,
      text("permission edit Edit the file"),
      { timeoutMs: 30_000 },
    );
    const [item] = await waitPending(peer);
    assert.equal(item.toolCall.title, "Edit the file");
    assert.equal(item.toolCall.kind, "edit");
    assert.match(item.toolCall.toolCallId, /^permission-/);
    assert.deepEqual(item.options.map((o) => o.kind), [
      "allow_once",
      "allow_always",
      "reject_once",
      "reject_always",
    ]);
    assert.ok(item.turnId, "the request belongs to the running turn");
    assert.ok(item.expiresAt, "default timeout applies");
    const req = await watch.waitFor((e) => e.type === "permission_request");
    assert.equal(req.turnId, item.turnId);
    assert.equal(req.type === "permission_request" && req.payload.requestId, item.requestId);

    // Bad answers: unknown request, unknown option, both or neither of optionId/outcome.
    assert.equal(await codeOf(respond(peer, { requestId: "nope", optionId: "x" })), -32602);
    assert.equal(
      await codeOf(respond(peer, { requestId: item.requestId, optionId: "maybe" })),
      -32602,
    );
    assert.equal(await codeOf(respond(peer, { requestId: item.requestId })), -32602);
    assert.equal(
      await codeOf(
        respond(peer, { requestId: item.requestId, optionId: "allow_once", outcome: "cancelled" }),
      ),
      -32602,
    );
    assert.equal((await pending(peer)).length, 1, "bad answers leave it pending");

    const answer = await respond(peer, { requestId: item.requestId, optionId: "allow_once" });
    assert.deepEqual(answer, {
      requestId: item.requestId,
      outcome: "selected",
      optionId: "allow_once",
    });
    assert.equal(
      await codeOf(respond(peer, { requestId: item.requestId, optionId: "allow_once" })),
      -32602,
      "answered once only",
    );
    const { turnId } = await turn;
    await watch.waitFor((e) => e.type === "turn_end" && e.turnId === turnId);
    assert.equal(agentText(watch.events, turnId), "permission:selected:allow_once");
    const resolved = ofType(watch.events, "permission_resolved");
    assert.equal(resolved.length, 1);
    assert.deepEqual(resolved[0].payload, {
      requestId: item.requestId,
      outcome: "selected",
      optionId: "allow_once",
      by: "client",
    });
    assert.equal(resolved[0].turnId, turnId);
    assert.ok(req.seq < resolved[0].seq);
    assert.deepEqual(await pending(peer), []);
  });
});

Deno.test("ask: deny with a reject option, or answer cancelled", async () => {
  await withAsk({}, async ({ peer, watch }) => {
    const turn = peer.request<{ turnId: string }>(
      RunnerMethods.prompt,
      text("permission execute Run rm\nsay |\npermission delete Delete it"),
      { timeoutMs: 30_000 },
    );
    const [first] = await waitPending(peer);
    await respond(peer, { requestId: first.requestId, optionId: "reject_once" });
    const [second] = await until("the second request", async () => {
      const items = await pending(peer);
      return items.length === 1 && items[0].requestId !== first.requestId ? items : undefined;
    }, 20_000);
    assert.deepEqual(await respond(peer, { requestId: second.requestId, outcome: "cancelled" }), {
      requestId: second.requestId,
      outcome: "cancelled",
    });
    const { turnId } = await turn;
    await watch.waitFor((e) => e.type === "turn_end" && e.turnId === turnId);
    assert.equal(
      agentText(watch.events, turnId),
      "permission:selected:reject_once|permission:cancelled:none",
    );
    const by = ofType(watch.events, "permission_resolved").map((e) => e.payload.by);
    assert.deepEqual(by, ["client", "client"]);
  });
});

Deno.test("ask: an unanswered request is rejected when permissionTimeoutSeconds passes", async () => {
  await withAsk({ permissionTimeoutSeconds: 0.3 }, async ({ peer, watch }) => {
    const { turnId } = await peer.request<{ turnId: string }>(
      RunnerMethods.prompt,
      text("permission edit Edit x"),
      { timeoutMs: 30_000 },
    );
    await watch.waitFor((e) => e.type === "turn_end" && e.turnId === turnId);
    assert.equal(agentText(watch.events, turnId), "permission:selected:reject_once");
    const [req] = ofType(watch.events, "permission_request");
    assert.ok(req.payload.expiresAt);
    const [res] = ofType(watch.events, "permission_resolved");
    assert.deepEqual(res.payload, {
      requestId: req.payload.requestId,
      outcome: "selected",
      optionId: "reject_once",
      by: "timeout",
    });
    assert.deepEqual(await pending(peer), []);
  });
});

Deno.test("ask: cancelling the turn resolves the pending request as cancelled", async () => {
  await withAsk({}, async ({ peer, watch }) => {
    const turn = peer.request<{ stopReason: string; turnId: string }>(
      RunnerMethods.prompt,
      text("permission edit Edit y"),
      { timeoutMs: 30_000 },
    );
    const [item] = await waitPending(peer);
    await peer.request(RunnerMethods.cancel, null);
    const res = await deadline(turn, 20_000, "the cancelled turn");
    assert.equal(res.stopReason, "cancelled");
    const resolved = await watch.waitFor((e) => e.type === "permission_resolved");
    assert.deepEqual(resolved.payload, {
      requestId: item.requestId,
      outcome: "cancelled",
      by: "cancel",
    });
    assert.deepEqual(await pending(peer), []);
    await waitForPhase(peer, "idle");
  });
});

Deno.test("ask: stopping the agent-run resolves a pending request as cancelled", async () => {
  await withRunner(
    { session: { permissions: "ask", mcpServers: [] } },
    async ({ bundle, runner, peer }) => {
      await waitForPhase(peer, "idle");
      const watch = await EventCollector.watch(bundle.socket, 0);
      peer.request(RunnerMethods.prompt, text("permission edit Edit z"), { timeoutMs: 30_000 })
        .catch(() => {});
      const [item] = await waitPending(peer);
      assert.equal((await runner.stop(peer)).code, 0);
      const resolved = watch.events.find((e) => e.type === "permission_resolved");
      assert.deepEqual(resolved?.payload, {
        requestId: item.requestId,
        outcome: "cancelled",
        by: "cancel",
      });
      watch.close();
    },
  );
});

Deno.test("fixed policies record each decision as permission_resolved by policy", async () => {
  await withAsk({}, async ({ peer, watch }) => {
    const { turnId } = await peer.request<{ turnId: string }>(
      RunnerMethods.prompt,
      text("permission read Read a\npermission edit Edit b"),
      { timeoutMs: 30_000 },
    );
    await watch.waitFor((e) => e.type === "turn_end" && e.turnId === turnId);
    assert.deepEqual(ofType(watch.events, "permission_request"), [], "nothing waits");
    const resolved = ofType(watch.events, "permission_resolved").map((e) => {
      const { requestId: _r, toolCall, ...rest } = e.payload;
      return { ...rest, title: toolCall?.title, kind: toolCall?.kind, turnId: e.turnId };
    });
    assert.deepEqual(resolved, [
      {
        outcome: "selected",
        optionId: "allow_once",
        by: "policy",
        policy: "approve_reads",
        title: "Read a",
        kind: "read",
        turnId,
      },
      {
        outcome: "selected",
        optionId: "reject_once",
        by: "policy",
        policy: "approve_reads",
        title: "Edit b",
        kind: "edit",
        turnId,
      },
    ]);
    assert.deepEqual(await pending(peer), []);
  }, "approve_reads");
});
