import assert from "node:assert/strict";
import { LOG_LEVELS, parseLogLevel } from "./log_level.ts";

Deno.test("parseLogLevel: every listed name is itself", () => {
  for (const name of LOG_LEVELS) assert.equal(parseLogLevel(name), name);
});

Deno.test("parseLogLevel: unknown, empty or missing names are info", () => {
  for (const name of ["loud", "", "WARN", "warning", undefined]) {
    assert.equal(parseLogLevel(name), "info", String(name));
  }
});
