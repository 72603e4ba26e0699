import assert from "node:assert/strict";
import type { RunKey } from "../../specs/ari.ts";
import type { InboxEntry } from "../store/inbox.ts";
import { waitForReply } from "./mesh_wait.ts";

function inbox(entries: InboxEntry[]) {
  return {
    entries,
    listInbox: (_k: RunKey) => Promise.resolve([...entries]),
    ackInbox: (_k: RunKey, seqNo: number) => {
      const i = entries.findIndex((e) => e.seqNo === seqNo);
      if (i < 0) return Promise.resolve(false);
      entries.splice(i, 1);
      return Promise.resolve(true);
    },
  };
}

const entry = (seqNo: number, from: string, text: string): InboxEntry => ({
  seqNo,
  from,
  message: [{ type: "text", text }],
  enqueuedAt: new Date(0).toISOString(),
});
const self = { workspace: "ws", name: "alice" };

Deno.test("waitForReply: takes the oldest message from that peer only", async () => {
  const box = inbox([entry(1, "carol", "c"), entry(2, "bob", "b1"), entry(3, "bob", "b2")]);
  const got = await waitForReply(self, { from: "bob", timeoutSeconds: 1 }, box);
  assert.deepEqual(got, { received: true, from: "bob", message: [{ type: "text", text: "b1" }] });
  assert.deepEqual(box.entries.map((e) => e.seqNo), [1, 3]);
});

Deno.test("waitForReply: nothing in time, or the endpoint closing, is received: false", async () => {
  const box = inbox([entry(1, "carol", "c")]);
  assert.deepEqual(await waitForReply(self, { from: "bob", timeoutSeconds: 0.05 }, box), {
    received: false,
  });
  const abort = new AbortController();
  abort.abort();
  assert.deepEqual(
    await waitForReply(self, { from: "bob", timeoutSeconds: 600 }, box, abort.signal),
    { received: false },
  );
  assert.equal(box.entries.length, 1);
});
