import assert from "node:assert/strict";
import { silentLogger } from "./silent_logger.ts";

Deno.test("silentLogger: every level is callable and its children are silent too", () => {
  for (const level of ["trace", "debug", "info", "warn", "error"] as const) {
    assert.equal(silentLogger[level]("dropped", { n: 1 }), undefined);
  }
  assert.equal(silentLogger.child("runs").child("x"), silentLogger);
});
