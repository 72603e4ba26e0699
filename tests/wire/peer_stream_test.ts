/**
 * The peer reads a stream of JSON values like the original's decoder: back to back, spread
 * over lines, or ending without a newline before a half-close. Replies are one per line.
 */
import assert from "node:assert/strict";
import { serveUnix } from "../../specs/wire/socket.ts";
import { exchange } from "../support/raw_socket.ts";

async function withEcho(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  const server = await serveUnix(path, {
    maxFrameBytes: 4096,
    setup: (peer) => {
      peer.addMethod("echo", (p) => p);
      peer.addMethod("later", async (p) => {
        await new Promise((r) => setTimeout(r, 50));
        return p;
      });
    },
  });
  try {
    await fn(path);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const req = (id: number, params: unknown = { id }) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "echo", params });

const ids = (replies: unknown[]) => replies.map((r) => (r as { id: unknown }).id);

Deno.test("peer: requests back to back with no separator are all answered", async () => {
  await withEcho(async (path) => {
    const { replies } = await exchange(path, req(1) + req(2) + " \t" + req(3) + "\n", 3);
    assert.deepEqual(ids(replies), [1, 2, 3]);
    assert.deepEqual((replies[1] as { result: unknown }).result, { id: 2 });
  });
});

Deno.test("peer: a pretty-printed request spread over lines is answered", async () => {
  await withEcho(async (path) => {
    const pretty = JSON.stringify(
      { jsonrpc: "2.0", id: 7, method: "echo", params: { a: [1, { b: "x\ny" }] } },
      null,
      2,
    );
    const { replies } = await exchange(path, pretty + "\n" + req(8), 2);
    assert.deepEqual(replies[0], { jsonrpc: "2.0", id: 7, result: { a: [1, { b: "x\ny" }] } });
    assert.equal((replies[1] as { id: number }).id, 8);
  });
});

Deno.test("peer: a last request without a newline before a half-close is answered", async () => {
  await withEcho(async (path) => {
    const last = JSON.stringify({ jsonrpc: "2.0", id: 9, method: "later", params: { z: 1 } });
    const { replies, closed } = await exchange(path, req(1) + "\n" + last, 3, { halfClose: true });
    assert.deepEqual(ids(replies), [1, 9]);
    assert.equal(closed, true, "the server closes once it has answered");
  });
});

Deno.test("peer: a request cut off mid-line gets -32700 and the next line is answered", async () => {
  await withEcho(async (path) => {
    const { replies } = await exchange(
      path,
      '{"jsonrpc":"2.0","id":1,"method":\n' + req(2) + "\n",
      2,
    );
    assert.equal((replies[0] as { error: { code: number } }).error.code, -32700);
    assert.equal((replies[1] as { id: number }).id, 2);
  });
});

Deno.test("peer: the size cap applies to one value of the stream", async () => {
  await withEcho(async (path) => {
    // Many small values in one write are fine; one value over the cap is refused.
    const many = Array.from({ length: 100 }, (_, i) => req(i)).join("");
    assert.equal((await exchange(path, many, 100)).replies.length, 100);
    const big = req(1, { s: "x".repeat(5000) });
    const { replies, closed } = await exchange(path, big, 2);
    assert.equal((replies[0] as { error: { code: number } }).error.code, -32600);
    assert.equal(closed, true);
  });
});
