import assert from "node:assert/strict";
import { agentRunV8Flags } from "./v8_flags.ts";

Deno.test("agent-run V8 flags: a small young generation and a generous old-space cap", async () => {
  const flag = agentRunV8Flags();
  assert.match(flag, /^--v8-flags=/);
  const values = Object.fromEntries(
    flag.slice("--v8-flags=".length).split(",").map((f) => f.replace(/^--/, "").split("=")),
  );
  assert.equal(values["max-semi-space-size"], "1");
  // Far above the 64 MiB line an agent may write.
  assert.ok(Number(values["max-old-space-size"]) >= 256);
  // deno accepts them.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", flag, "console.log('ok')"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(
    new TextDecoder().decode(out.stdout).trim(),
    "ok",
    new TextDecoder().decode(out.stderr),
  );
});
