import assert from "node:assert/strict";
import { AriError } from "../client/errors.ts";
import { withNextStep } from "./next_step.ts";

const said = (message: string) => (withNextStep(new AriError(-32602, message)) as Error).message;

Deno.test("withNextStep: names the agent run and says what to do", () => {
  assert.equal(
    said("agent w/x not found"),
    "agent run w/x not found (list the runs: massctl agentrun get -w w)",
  );
  assert.match(said("agent w/a is idle; stop it before deleting (…)"), /--force$/);
  assert.match(said("agentrun w/a already exists"), /agentrun restart a -w w/);
  assert.match(said("agent demo2 not found"), /^agent demo2 not found \(list them/);
  assert.match(said("workspace nope not found"), /massctl workspace get/);
  const other = new AriError(-32602, "something else");
  assert.equal(withNextStep(other), other);
  const plain = new Error("agent w/x not found");
  assert.equal(withNextStep(plain), plain, "only the daemon's answers are rewritten");
});
