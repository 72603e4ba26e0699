/**
 * workspace/send end to end: a real daemon with its run supervisor, real agent-runs and the
 * scriptable test agent. An idle target gets the message at once; a busy one gets it queued
 * and delivered when its turn ends; the sender must be a run of the workspace.
 */
import assert from "node:assert/strict";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { until } from "../support/wait.ts";
import { rpcError, setupTestAgent, startTestDaemon } from "./ari_helpers.ts";

async function phaseOf(c: AriClient, name: string): Promise<string> {
  return (await c.agentrunGet({ workspace: "w", name })).status.phase;
}

/** Collects the events of run `name` from seq 0 until `done` says so (bounded). */
async function eventsUntil(
  c: AriClient,
  name: string,
  done: (events: AgentRunEvent[]) => boolean,
): Promise<AgentRunEvent[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  const seen: AgentRunEvent[] = [];
  try {
    for await (const ev of c.watch({ workspace: "w", name, fromSeq: 0, signal: abort.signal })) {
      seen.push(ev);
      if (done(seen)) return seen;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  throw new Error(`event stream of ${name} ended early (${seen.length} events)`);
}

const envelopeFrom = (from: string) => `<workspace-message from="${from}"`;

Deno.test({
  name: "workspace/send: delivered to an idle target, queued for a busy one",
  async fn() {
    const t = await startTestDaemon({ runs: undefined, seedBuiltins: false });
    const c = t.client;
    try {
      await setupTestAgent(c);
      for (const name of ["a", "b"]) {
        await c.agentrunCreate({ metadata: { workspace: "w", name }, spec: { agent: "t" } });
      }
      for (const name of ["a", "b"]) {
        await until(
          `${name} idle`,
          async () => (await phaseOf(c, name)) === "idle" || undefined,
          60_000,
        );
      }

      // Idle target: delivered now.
      const now = await c.workspaceSend({
        workspace: "w",
        from: "a",
        to: "b",
        message: [{ type: "text", text: "first-message" }],
      });
      assert.deepEqual(now, { delivered: true });
      await until("b idle again", async () => (await phaseOf(c, "b")) === "idle" || undefined);

      // Busy target: queued, then delivered after the running turn.
      await c.agentrunPrompt({
        workspace: "w",
        name: "b",
        prompt: [{ type: "text", text: "delay 1500\nsay busy-turn-done" }],
      });
      assert.equal(await phaseOf(c, "b"), "running");
      const queued = await c.workspaceSend({
        workspace: "w",
        from: "a",
        to: "b",
        message: [{ type: "text", text: "queued-message" }],
        needsReply: true,
      });
      assert.deepEqual(queued, { delivered: false, queued: true });

      const events = await eventsUntil(c, "b", (evs) => {
        const at = evs.findIndex((e) => JSON.stringify(e.payload).includes("queued-message"));
        return at >= 0 && evs.slice(at).some((e) => e.type === "turn_end");
      });
      const text = events.map((e) => JSON.stringify(e.payload)).join("\n");
      const busyDone = text.indexOf("busy-turn-done");
      const queuedAt = text.indexOf("queued-message");
      assert.ok(busyDone >= 0 && queuedAt > busyDone, "queued message arrives after the busy turn");
      assert.ok(text.includes(JSON.stringify(envelopeFrom("a")).slice(1, -1)), "envelope present");
      assert.ok(text.includes("reply-requested"), "needsReply is in the envelope");

      // A sender that is not a run of the workspace is refused.
      const spoof = await rpcError(() =>
        c.workspaceSend({
          workspace: "w",
          from: "mallory",
          to: "b",
          message: [{ type: "text", text: "x" }],
        })
      );
      assert.equal(spoof.code, -32602);
      assert.match(spoof.message, /mallory/);
    } finally {
      for (const name of ["a", "b"]) {
        await c.agentrunStop({ workspace: "w", name }).catch(() => {});
      }
      await t.close();
    }
  },
});
