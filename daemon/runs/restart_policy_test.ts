import assert from "node:assert/strict";
import { backoffDelay, nextAttempt, shouldRestart } from "./restart_policy.ts";

Deno.test("restart policy: which exits restart", () => {
  const crash = { exitCode: 3, signal: null, requested: false };
  const clean = { exitCode: 0, signal: null, requested: false };
  const killed = { exitCode: null, signal: "SIGKILL", requested: false };
  const stopped = { exitCode: null, signal: "SIGTERM", requested: true };
  assert.equal(shouldRestart(undefined, crash), false);
  assert.equal(shouldRestart("never", crash), false);
  assert.equal(shouldRestart("on-failure", crash), true);
  assert.equal(shouldRestart("on-failure", killed), true);
  assert.equal(shouldRestart("on-failure", clean), false);
  assert.equal(shouldRestart("always", clean), true);
  assert.equal(shouldRestart("always", stopped), false);
  assert.equal(shouldRestart("on-failure", stopped), false);
});

Deno.test("restart policy: backoff doubles from 1 s, caps at 60 s, resets after 60 s up", () => {
  assert.deepEqual([0, 1, 2, 3, 5, 6, 10].map(backoffDelay), [
    1_000,
    2_000,
    4_000,
    8_000,
    32_000,
    60_000,
    60_000,
  ]);
  assert.equal(nextAttempt(-1, 10), 0);
  assert.equal(nextAttempt(3, 10), 4);
  assert.equal(nextAttempt(3, 60_000), 0);
});
