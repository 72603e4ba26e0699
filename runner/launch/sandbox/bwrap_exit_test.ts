import assert from "node:assert/strict";
import { bwrapExitStatus } from "./bwrap_exit.ts";

Deno.test("bwrapExitStatus: 128+N is signal N; exit codes and real signals as they are", () => {
  assert.equal(bwrapExitStatus({ success: false, code: 137, signal: null }).signal, "SIGKILL");
  assert.equal(bwrapExitStatus({ success: false, code: 143, signal: null }).signal, "SIGTERM");
  const plain = { success: false, code: 3, signal: null };
  assert.deepEqual(bwrapExitStatus(plain), plain);
  const killed = { success: false, code: 137, signal: "SIGKILL" as const };
  assert.deepEqual(bwrapExitStatus(killed), killed);
});
