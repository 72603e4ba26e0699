import assert from "node:assert/strict";
import { ErrorCode } from "../../specs/errors.ts";
import { applyMutator, checkPhase } from "./cas.ts";
import { PhaseConflictError } from "./errors.ts";

Deno.test("applyMutator: in-place edits and returned objects both give a copy", () => {
  const cur = { a: { n: 1 } };
  const edited = applyMutator(cur, (c) => {
    c.a.n = 2;
  });
  assert.deepEqual(edited, { a: { n: 2 } });
  assert.equal(cur.a.n, 1);
  const fresh = { a: { n: 3 } };
  const replaced = applyMutator(cur, () => fresh);
  assert.deepEqual(replaced, fresh);
  assert.notEqual(replaced, fresh);
});

Deno.test("checkPhase: passes an expected phase, else PhaseConflictError with the actual", () => {
  checkPhase("AgentRun", "w/a", "idle", ["idle", "running"], {});
  const err = (() => {
    try {
      checkPhase("AgentRun", "w/a", "stopped", ["idle", "running"], {});
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof PhaseConflictError);
  assert.equal(err.code, ErrorCode.Conflict);
  assert.equal(err.message, "agentrun w/a is stopped, expected idle|running");
  assert.equal(err.actualPhase, "stopped");
  assert.deepEqual(err.expected, ["idle", "running"]);
});

Deno.test("checkPhase: a custom message gets the actual phase", () => {
  assert.throws(
    () => checkPhase("Workspace", "w", "deleting", ["ready"], { message: (p) => `busy: ${p}` }),
    { message: "busy: deleting" },
  );
});
