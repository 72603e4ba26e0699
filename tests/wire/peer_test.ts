import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../specs/errors.ts";
import { dialUnix, serveUnix } from "../../specs/wire/socket.ts";

async function withServer(
  fn: (path: string) => Promise<void>,
  maxFrameBytes = 1024,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  const server = await serveUnix(path, {
    maxFrameBytes,
    setup: (peer) => {
      peer.addMethod("echo", (p) => p);
      peer.addMethod("nothing", () => undefined);
      peer.addMethod("fail", () => {
        throw new RpcError(ErrorCode.Conflict, "busy");
      });
      peer.addMethod("slow", async (p) => {
        await new Promise((r) => setTimeout(r, (p as { ms: number }).ms));
        return (p as { ms: number }).ms;
      });
      peer.addMethod("push", async (p, conn) => {
        const n = (p as { n: number }).n;
        for (let i = 0; i < n; i++) await conn.notify("tick", { i });
        return n;
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

/** Sends raw bytes and reads replies until `count` lines arrived or the peer closed. */
async function raw(
  path: string,
  data: string,
  count: number,
): Promise<{ lines: unknown[]; closed: boolean }> {
  const conn = await Deno.connect({ transport: "unix", path });
  await conn.write(new TextEncoder().encode(data)).catch(() => 0);
  const lines: unknown[] = [];
  let buf = "";
  let closed = false;
  const dec = new TextDecoder();
  const chunk = new Uint8Array(65536);
  const deadline = Date.now() + 5000;
  while (lines.length < count && Date.now() < deadline) {
    const n = await conn.read(chunk).catch(() => null);
    if (n === null) {
      closed = true;
      break;
    }
    buf += dec.decode(chunk.subarray(0, n));
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  }
  conn.close();
  return { lines, closed };
}

Deno.test("peer: request/response, null result and typed errors", async () => {
  await withServer(async (path) => {
    const c = await dialUnix(path);
    try {
      assert.deepEqual(await c.request("echo", { x: 1 }), { x: 1 });
      assert.equal(await c.request("nothing", {}), null);
      await assert.rejects(c.request("fail", {}), (e: unknown) => (e as RpcError).code === -32001);
      await assert.rejects(c.request("nope", {}), (e: unknown) => (e as RpcError).code === -32601);
    } finally {
      c.close();
    }
  });
});

Deno.test("peer: requests on one connection run concurrently", async () => {
  await withServer(async (path) => {
    const c = await dialUnix(path);
    try {
      const order: number[] = [];
      await Promise.all([
        c.request<number>("slow", { ms: 200 }).then((v) => order.push(v)),
        c.request<number>("slow", { ms: 10 }).then((v) => order.push(v)),
      ]);
      assert.deepEqual(order, [10, 200]);
    } finally {
      c.close();
    }
  });
});

Deno.test("peer: notifications arrive in order", async () => {
  await withServer(async (path) => {
    const seen: number[] = [];
    const c = await dialUnix(path, {
      setup: (p) =>
        p.onNotification("tick", (params) => void seen.push((params as { i: number }).i)),
    });
    try {
      assert.equal(await c.request("push", { n: 500 }), 500);
      assert.deepEqual(seen, Array.from({ length: 500 }, (_, i) => i));
    } finally {
      c.close();
    }
  });
});

Deno.test("peer: request timeout rejects instead of hanging", async () => {
  await withServer(async (path) => {
    const c = await dialUnix(path);
    try {
      await assert.rejects(
        c.request("slow", { ms: 300 }, { timeoutMs: 50 }),
        /no answer within 50 ms/,
      );
    } finally {
      c.close();
    }
  });
});

Deno.test("peer: malformed JSON gets -32700 and the connection stays usable", async () => {
  await withServer(async (path) => {
    const { lines } = await raw(
      path,
      '{not json\n{"jsonrpc":"2.0","id":7,"method":"echo","params":{"ok":true}}\n',
      2,
    );
    assert.equal((lines[0] as { error: { code: number } }).error.code, -32700);
    assert.deepEqual((lines[1] as { id: number; result: unknown }).result, { ok: true });
  });
});

Deno.test("peer: invalid request shapes get -32600 or -32602", async () => {
  await withServer(async (path) => {
    const { lines } = await raw(
      path,
      '42\n{"id":1}\n{"jsonrpc":"2.0","id":2,"method":"echo","params":"str"}\n',
      3,
    );
    const codes = lines.map((l) => (l as { error: { code: number } }).error.code);
    assert.deepEqual(codes, [-32600, -32600, -32602]);
  });
});

Deno.test("peer: an oversized frame gets -32600 and the connection is closed", async () => {
  await withServer(async (path) => {
    const big = '{"jsonrpc":"2.0","id":1,"method":"echo","params":{"s":"' + "x".repeat(4096) +
      '"}}\n';
    const { lines, closed } = await raw(path, big, 2);
    assert.equal((lines[0] as { error: { code: number } }).error.code, -32600);
    assert.equal(closed, true);
    // The server still serves new connections.
    const c = await dialUnix(path);
    try {
      assert.deepEqual(await c.request("echo", { again: 1 }), { again: 1 });
    } finally {
      c.close();
    }
  });
});

Deno.test("peer: pending requests reject when the server goes away", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  const server = await serveUnix(path, {
    setup: (peer) => peer.addMethod("never", () => new Promise(() => {})),
  });
  const c = await dialUnix(path);
  const pending = c.request("never", {}, { timeoutMs: 5000 });
  await new Promise((r) => setTimeout(r, 50));
  await server.close();
  await assert.rejects(pending);
  c.close();
  await Deno.remove(dir, { recursive: true });
});
