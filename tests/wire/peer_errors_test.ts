/** Error replies and protocol-error reports stay bounded whatever the client sends. */
import assert from "node:assert/strict";
import { ErrorCode, RpcError } from "../../specs/errors.ts";
import { MAX_ERROR_MESSAGE_CHARS, PROTOCOL_ERRORS_REPORTED } from "../../specs/wire/peer.ts";
import { serveUnix } from "../../specs/wire/socket.ts";
import { exchange } from "../support/raw_socket.ts";
import { until } from "../support/wait.ts";

Deno.test("peer: an error message that echoes a huge param is clipped on the wire", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  const server = await serveUnix(path, {
    setup: (peer) =>
      peer.addMethod("get", (p) => {
        throw new RpcError(ErrorCode.Conflict, `no such thing ${(p as { id: string }).id}`);
      }),
  });
  try {
    const id = "y".repeat(1_000_000);
    const { replies } = await exchange(
      path,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "get", params: { id } }) + "\n",
      1,
    );
    const err = (replies[0] as { error: { code: number; message: string } }).error;
    assert.equal(err.code, ErrorCode.Conflict);
    assert.ok(err.message.length < MAX_ERROR_MESSAGE_CHARS + 40, `${err.message.length} chars`);
    assert.match(err.message, /^no such thing y+… \(1000014 chars\)$/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("peer: protocol errors are reported a few per connection, then counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mw" });
  const path = `${dir}/t.sock`;
  const reports: string[] = [];
  const server = await serveUnix(path, {
    setup: () => {},
    onProtocolError: (m) => reports.push(m),
  });
  try {
    const { replies } = await exchange(path, "[1,,]\n".repeat(30), 30);
    assert.equal(replies.length, 30);
    await until("the count at close", () => reports.length > PROTOCOL_ERRORS_REPORTED);
    assert.deepEqual(reports, [
      ...Array(PROTOCOL_ERRORS_REPORTED).fill("malformed JSON"),
      `${30 - PROTOCOL_ERRORS_REPORTED} more protocol errors on this connection`,
    ]);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
