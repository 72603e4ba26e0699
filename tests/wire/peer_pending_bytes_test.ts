/**
 * `pendingBytes`: what a peer holds in memory for a client that does not read. The agent-run
 * bounds each watch by it (runner/rpc/rpc_server.ts), so big events cannot pile up.
 */
import assert from "node:assert/strict";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { serveUnix } from "../../specs/wire/socket.ts";
import { until } from "../support/wait.ts";

Deno.test("pendingBytes counts the frames queued for a client that does not read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  let serverPeer: RpcPeer | undefined;
  const server = await serveUnix(path, { setup: (p) => void (serverPeer = p) });
  const conn = await Deno.connect({ transport: "unix", path });
  try {
    const peer = await until("connection served", () => serverPeer);
    assert.equal(peer.pendingBytes, 0);
    const big = "x".repeat(1024 * 1024);
    const sends = Array.from({ length: 8 }, () => peer.notify("tick", { big }).catch(() => {}));
    // The client reads nothing: most of the 8 MiB stays queued in this process.
    assert.ok(peer.pendingBytes > 4 * 1024 * 1024, `pendingBytes ${peer.pendingBytes}`);
    assert.equal(peer.pendingWrites, 8);
    const buf = new Uint8Array(1 << 20);
    const reading = (async () => {
      while ((await conn.read(buf)) !== null) {
        if (peer.pendingBytes === 0) break;
      }
    })();
    await Promise.all(sends);
    assert.equal(peer.pendingBytes, 0);
    conn.close();
    await reading.catch(() => {});
  } finally {
    try {
      conn.close();
    } catch {
      // closed above
    }
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
