/**
 * Error kinds on the wire: each kind keeps the original MASS code and travels as
 * `data.kind`, so a client tells "not found" from other -32602s without reading messages.
 */
import assert from "node:assert/strict";
import { isMutating } from "../../specs/ari_methods.ts";
import { ErrorCode, errorCode, ErrorKind, errorKind, KIND_CODES } from "../../specs/errors.ts";
import { AlreadyExistsError } from "../../daemon/store/errors.ts";
import { RawConn, startTestDaemon } from "./ari_helpers.ts";

Deno.test("kind table keeps the original MASS codes", () => {
  assert.equal(KIND_CODES.not_found, ErrorCode.InvalidParams);
  assert.equal(KIND_CODES.already_exists, ErrorCode.InvalidParams);
  assert.equal(KIND_CODES.invalid_input, ErrorCode.InvalidParams);
  assert.equal(KIND_CODES.conflict, ErrorCode.Conflict);
  assert.equal(KIND_CODES.internal, ErrorCode.Internal);
  assert.equal(new AlreadyExistsError("AgentRun", "w/a").code, ErrorCode.Conflict);
  assert.equal(new AlreadyExistsError("Agent", "a").code, ErrorCode.InvalidParams);
  assert.ok(isMutating("agentrun/prompt"));
  assert.ok(!isMutating("agentrun/get"));
  assert.ok(!isMutating("no/such"));
});

Deno.test("errors carry their kind in data; unknown methods stay -32601", async () => {
  const t = await startTestDaemon();
  try {
    const missing = await t.client.workspaceGet("nope").then(() => undefined, (e) => e);
    assert.equal(errorCode(missing), ErrorCode.InvalidParams);
    assert.equal(errorKind(missing), ErrorKind.NotFound);

    const bad = await t.client.workspaceGet("../x").then(() => undefined, (e) => e);
    assert.equal(errorCode(bad), ErrorCode.InvalidParams);
    assert.equal(errorKind(bad), ErrorKind.InvalidInput);

    const dup = await t.client.agentCreate({ metadata: { name: "demo" }, spec: { command: "x" } })
      .then(() => undefined, (e) => e);
    assert.equal(errorCode(dup), ErrorCode.InvalidParams);
    assert.equal(errorKind(dup), ErrorKind.AlreadyExists);

    const c = await RawConn.dial(t.daemon.paths.socket);
    try {
      await c.write('{"jsonrpc":"2.0","id":1,"method":"agent/get","params":{"name":"nope"}}\n');
      const res = await c.readJson();
      assert.deepEqual(res?.error, {
        code: -32602,
        message: "agent nope not found",
        data: { kind: "not_found" },
      });
      // Without a run supervisor agentrun/* are covered but answer like unknown methods.
      await c.write('{"jsonrpc":"2.0","id":2,"method":"agentrun/get","params":{}}\n');
      assert.equal(((await c.readJson())?.error as { code: number }).code, -32601);
      await c.write('{"jsonrpc":"2.0","id":3,"method":"no/such"}\n');
      assert.equal(((await c.readJson())?.error as { code: number }).code, -32601);
    } finally {
      c.close();
    }
  } finally {
    await t.close();
  }
});
