import assert from "node:assert/strict";
import { ConflictError, ErrorCode, RpcError } from "../../specs/errors.ts";
import { toRpcError } from "./to_rpc_error.ts";

Deno.test("toRpcError: an RpcError passes through as is", () => {
  const err = new ConflictError("busy");
  assert.equal(toRpcError(err), err);
});

Deno.test("toRpcError: an agent's integer code is kept, anything else is internal", () => {
  const agent = toRpcError({ code: -32002, message: "no such session" });
  assert.ok(agent instanceof RpcError);
  assert.equal(agent.code, -32002);
  const plain = toRpcError(new Error("boom"));
  assert.equal(plain.code, ErrorCode.Internal);
  assert.match(plain.message, /boom/);
  assert.equal(toRpcError({ code: "E1" }).code, ErrorCode.Internal);
});
