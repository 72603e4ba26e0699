import assert from "node:assert/strict";
import { callerCwd } from "./caller_cwd.ts";

Deno.test("callerCwd: INIT_CWD only when massctl runs in the checkout", () => {
  assert.equal(callerCwd("/home/me/app", "/src/mass", "/src/mass/"), "/home/me/app");
  assert.equal(callerCwd(undefined, "/src/mass", "/src/mass/"), "/src/mass");
  assert.equal(callerCwd("/stale", "/home/me/app", "/src/mass/"), "/home/me/app");
});
