import assert from "node:assert/strict";
import { PermissionBroker } from "./permission_broker.ts";
import { InvalidParamsError } from "../../specs/errors.ts";
import type { PermissionRequestPayload, PermissionResolvedPayload } from "../../specs/events.ts";

const OPTIONS = [
  { optionId: "ao", name: "Allow", kind: "allow_once" },
  { optionId: "ro", name: "Reject", kind: "reject_once" },
];

function broker(timeoutMs = 0, announceDelayMs = 0) {
  const log: string[] = [];
  let n = 0;
  const b = new PermissionBroker({
    timeoutMs,
    newId: () => `r${++n}`,
    now: () => new Date(0),
    announce: async (p: PermissionRequestPayload) => {
      if (announceDelayMs) await new Promise((r) => setTimeout(r, announceDelayMs));
      log.push(`request ${p.requestId}`);
    },
    resolved: (p: PermissionResolvedPayload) => {
      log.push(`resolved ${p.requestId} ${p.outcome} ${p.optionId ?? "-"} ${p.by}`);
      return Promise.resolve();
    },
  });
  return { b, log };
}

Deno.test("broker: pending items are listed oldest first with their context", async () => {
  const { b } = broker(60_000);
  const a1 = b.ask({
    toolCall: { toolCallId: "t1", title: "Edit", kind: "edit" },
    options: OPTIONS,
  }, {
    sessionId: "s",
    turnId: "u",
  });
  const a2 = b.ask({ toolCall: null, options: [{ bogus: true }, "x"] });
  const items = b.list();
  assert.deepEqual(items.map((i) => i.requestId), ["r1", "r2"]);
  assert.deepEqual(items[0], {
    requestId: "r1",
    toolCall: { toolCallId: "t1", title: "Edit", kind: "edit" },
    options: OPTIONS,
    createdAt: new Date(0).toISOString(),
    expiresAt: new Date(60_000).toISOString(),
    sessionId: "s",
    turnId: "u",
  });
  assert.deepEqual(items[1].toolCall, { toolCallId: "" }, "a malformed request is still listed");
  assert.deepEqual(items[1].options, []);
  await b.cancelAll();
  assert.deepEqual((await a1).outcome, { outcome: "cancelled" });
  assert.deepEqual((await a2).outcome, { outcome: "cancelled" });
  assert.equal(b.size, 0);
});

Deno.test("broker: the request event precedes its resolution, even when answered at once", async () => {
  const { b, log } = broker(0, 20);
  const answer = b.ask({ toolCall: { toolCallId: "t" }, options: OPTIONS });
  const res = await b.respond("r1", { optionId: "ao" });
  assert.deepEqual(res, { requestId: "r1", outcome: "selected", optionId: "ao" });
  assert.deepEqual((await answer).outcome, { outcome: "selected", optionId: "ao" });
  assert.deepEqual(log, ["request r1", "resolved r1 selected ao client"]);
});

Deno.test("broker: unknown requests and options are -32602; the first answer wins", async () => {
  const { b, log } = broker();
  const answer = b.ask({ toolCall: { toolCallId: "t" }, options: OPTIONS });
  assert.throws(() => b.respond("nope", { optionId: "ao" }), InvalidParamsError);
  assert.throws(() => b.respond("r1", { optionId: "zz" }), /no option "zz" \(options: ao, ro\)/);
  const first = b.respond("r1", { outcome: "cancelled" });
  assert.throws(() => b.respond("r1", { optionId: "ao" }), InvalidParamsError);
  await b.cancelAll();
  assert.deepEqual(await first, { requestId: "r1", outcome: "cancelled" });
  assert.deepEqual((await answer).outcome, { outcome: "cancelled" });
  assert.deepEqual(log, ["request r1", "resolved r1 cancelled - client"]);
});

Deno.test("broker: the timeout rejects with reject_once, else cancelled", async () => {
  const { b, log } = broker(10);
  const withReject = b.ask({ toolCall: { toolCallId: "t" }, options: OPTIONS });
  const allowOnly = b.ask({ toolCall: { toolCallId: "t" }, options: [OPTIONS[0]] });
  assert.deepEqual((await withReject).outcome, { outcome: "selected", optionId: "ro" });
  assert.deepEqual((await allowOnly).outcome, { outcome: "cancelled" });
  assert.equal(b.size, 0);
  assert.deepEqual(log.filter((l) => l.startsWith("resolved")), [
    "resolved r1 selected ro timeout",
    "resolved r2 cancelled - timeout",
  ]);
});
