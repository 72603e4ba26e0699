import assert from "node:assert/strict";
import { pickEnv } from "./pick_env.ts";
import { RUNNER_ENV_ALLOW } from "./spawn_agent_run.ts";

Deno.test("pickEnv: only the listed names that are set", () => {
  const source = { PATH: "/bin", HOME: "/h", SECRET: "s", LANG: "" };
  assert.deepEqual(pickEnv(["PATH", "LANG", "TMPDIR"], source), { PATH: "/bin", LANG: "" });
});

Deno.test("RUNNER_ENV_ALLOW: the agent-run gets no API keys", () => {
  assert.ok(RUNNER_ENV_ALLOW.includes("PATH"));
  assert.ok(!RUNNER_ENV_ALLOW.some((name) => /KEY|TOKEN/.test(name)));
});
