/**
 * A host where bwrap does not work (here: a daemon whose probe finds no bwrap on its PATH):
 * `auto` falls back to `none` and says why; `bwrap` is refused at create with the reason.
 * Runs everywhere (no bwrap needed).
 */
import assert from "node:assert/strict";
import { errorCode } from "../../specs/errors.ts";
import { SandboxProbe } from "../../runner/launch/sandbox/detect_bwrap.ts";
import { runInput, runsFixture, waitPhase } from "../daemon/runs_helpers.ts";

Deno.test("sandbox without bwrap: auto runs unconfined with the reason; bwrap is refused", async () => {
  const fx = await runsFixture({ sandboxProbe: new SandboxProbe({ pathEnv: "/nonexistent" }) });
  try {
    const agent = (await fx.store.getAgent("test"))!;
    await fx.store.createAgent({
      metadata: { name: "strict" },
      spec: { ...agent.spec, sandbox: { mode: "bwrap" } },
    });
    await assert.rejects(
      fx.runs.create(runInput("s", "strict")),
      (e) => errorCode(e) === -32001 && /bwrap not found/.test(String((e as Error).message)),
    );
    assert.equal(await fx.store.getRun({ workspace: "ws", name: "s" }), undefined);

    const key = { workspace: "ws", name: "a" };
    await fx.runs.create(runInput("a"));
    const run = await waitPhase((k) => fx.store.getRun(k), key, ["idle", "error"]);
    assert.equal(run.status.phase, "idle", run.status.errorMessage);
    assert.equal(run.status.sandbox?.mode, "none");
    assert.match(run.status.sandbox?.reason ?? "", /bwrap not found/);
    await fx.runs.stop(key);
  } finally {
    await fx.close();
  }
});
