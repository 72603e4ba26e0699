/**
 * Daemon shutdown leaves agent-runs running; the next daemon on the same root recovers them
 * after it starts listening, and the run keeps working.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/ari_client.ts";
import { startDaemon } from "../../daemon/main.ts";
import { tempRoot, waitFor } from "./ari_helpers.ts";

const TEST_AGENT = fileURLToPath(new URL("../agents/test_agent.ts", import.meta.url));
const key = { workspace: "w", name: "r" };

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("agent-runs outlive a daemon shutdown and are recovered by the next daemon", async () => {
  const root = await tempRoot();
  let pid: number | undefined;
  let d = await startDaemon({ root, seedBuiltins: false });
  let c = await AriClient.connect(d.paths.socket);
  try {
    await d.recovered;
    await c.agentCreate({
      metadata: { name: "t" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
    });
    await c.workspaceCreate({ metadata: { name: "w" }, spec: { source: { type: "emptyDir" } } });
    await waitFor(
      "workspace",
      async () => (await c.workspaceGet("w")).status.phase === "ready" || undefined,
    );
    await c.agentrunCreate({ metadata: key, spec: { agent: "t" } });
    pid = await waitFor("idle run", async () => {
      const r = await c.agentrunGet(key);
      return r.status.phase === "idle" ? r.status.pid : undefined;
    }, 60_000);

    c.close();
    await d.close();
    assert.ok(pid && alive(pid), "the agent-run survived the daemon's shutdown");

    d = await startDaemon({ root, seedBuiltins: false });
    c = await AriClient.connect(d.paths.socket);
    await d.recovered;
    assert.equal((await c.systemInfo()).recovery.phase, "complete");
    const run = await c.agentrunGet(key);
    assert.equal(run.status.phase, "idle");
    assert.equal(run.status.pid, pid, "re-attached to the same agent-run");
    const accepted = await c.agentrunPrompt({
      ...key,
      prompt: [{ type: "text", text: "say again" }],
    });
    assert.equal(accepted.accepted, true);
    await waitFor(
      "turn end",
      async () => (await c.agentrunGet(key)).status.phase === "idle" || undefined,
    );
  } finally {
    await c.agentrunStop(key).catch(() => {});
    c.close();
    await d.close();
    if (pid && alive(pid)) Deno.kill(-pid, "SIGKILL");
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
