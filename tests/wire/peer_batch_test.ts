/** JSON-RPC 2.0 batches on a real socket, case by case as the specification lists them. */
import assert from "node:assert/strict";
import { serveUnix } from "../../specs/wire/socket.ts";
import { exchange } from "../support/raw_socket.ts";

async function withServer(fn: (path: string, notes: unknown[]) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  const notes: unknown[] = [];
  const server = await serveUnix(path, {
    setup: (peer) => {
      peer.addMethod("echo", (p) => p);
      peer.onNotification("note", (p) => void notes.push(p));
    },
  });
  try {
    await fn(path, notes);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const call = (id: number) => ({ jsonrpc: "2.0", id, method: "echo", params: { id } });
const note = (n: number) => ({ jsonrpc: "2.0", method: "note", params: { n } });
const send = (path: string, msg: unknown, count = 1) =>
  exchange(path, JSON.stringify(msg) + "\n", count, { timeoutMs: 2_000 });
const invalid = { jsonrpc: "2.0", id: null, error: { code: -32600, message: "invalid request" } };

Deno.test("batch: one request → an array of one answer", async () => {
  await withServer(async (path) => {
    const { replies } = await send(path, [call(1)]);
    assert.deepEqual(replies, [[{ jsonrpc: "2.0", id: 1, result: { id: 1 } }]]);
  });
});

Deno.test("batch: empty → one -32600 error object, not an array", async () => {
  await withServer(async (path) => {
    assert.deepEqual((await send(path, [])).replies, [invalid]);
  });
});

Deno.test("batch: invalid entries → an array of -32600 errors", async () => {
  await withServer(async (path) => {
    assert.deepEqual((await send(path, [1])).replies, [[invalid]]);
    assert.deepEqual((await send(path, [1, "x", { foo: 1 }])).replies, [[
      invalid,
      invalid,
      invalid,
    ]]);
  });
});

Deno.test("batch: mixed → answers for requests and invalid entries, none for notifications", async () => {
  await withServer(async (path, notes) => {
    const { replies } = await send(path, [
      call(1),
      note(1),
      { jsonrpc: "2.0", id: 2, method: "echo", params: 5 },
      { foo: "boo" },
      { jsonrpc: "2.0", id: 3, method: "nope" },
      call(4),
    ]);
    const got = replies[0] as { id: unknown; error?: { code: number } }[];
    assert.deepEqual(
      got.map((r) => [r.id, r.error?.code ?? "ok"]),
      [[1, "ok"], [2, -32602], [null, -32600], [3, -32601], [4, "ok"]],
    );
    assert.deepEqual(notes, [{ n: 1 }]);
  });
});

Deno.test("batch: notifications only → no reply at all", async () => {
  await withServer(async (path, notes) => {
    // The batch, then a plain request: the first reply must be the request's.
    const { replies } = await exchange(
      path,
      JSON.stringify([note(1), note(2)]) + "\n" + JSON.stringify(call(9)) + "\n",
      1,
    );
    assert.deepEqual(replies, [{ jsonrpc: "2.0", id: 9, result: { id: 9 } }]);
    assert.deepEqual(notes, [{ n: 1 }, { n: 2 }]);
  });
});
