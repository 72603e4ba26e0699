/**
 * `mass daemon restart`: SIGHUP restarts a real `mass server` in place — same pid, the
 * agent-run re-attached, prompts still delivered.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { AriClient } from "../../ctl/client/ari_client.ts";
import { recoveredClient } from "../support/server.ts";
import { until } from "../support/wait.ts";
import { setupTestAgent, tempRoot } from "./ari_helpers.ts";

const MASS = fileURLToPath(new URL("../../mass.ts", import.meta.url));
const key = { workspace: "w", name: "r" };

function mass(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MASS, ...args],
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("mass daemon restart: same pid, runs re-attached, prompts still work", async () => {
  const root = await tempRoot();
  const server = mass(["server", "--root", root]).spawn();
  let client: AriClient | undefined;
  try {
    const socket = `${root}/mass.sock`;
    client = await until("daemon recovered", () => recoveredClient(socket, 30_000));
    await setupTestAgent(client);
    await client.agentrunCreate({ metadata: key, spec: { agent: "t" } });
    const runnerPid = await until("idle run", async () => {
      const r = await client!.agentrunGet(key);
      return r.status.phase === "idle" ? r.status.pid : undefined;
    }, 60_000);
    const before = await client.systemInfo();
    client.close();

    const out = await mass(["daemon", "restart", "--root", root, "--timeout", "30"]).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.match(text, new RegExp(`daemon: restarted \\(pid: ${server.pid}\\)`));

    client = await AriClient.connect(socket);
    const after = await client.systemInfo();
    assert.equal(after.pid, before.pid, "restarted in place");
    await until(
      "recovery",
      async () => (await client!.systemInfo()).recovery.phase === "complete" || undefined,
    );
    const run = await client.agentrunGet(key);
    assert.equal(run.status.phase, "idle");
    assert.equal(run.status.pid, runnerPid, "the same agent-run, re-attached");
    const acc = await client.agentrunPrompt({
      ...key,
      prompt: [{ type: "text", text: "say after-hup" }],
    });
    const said: string[] = [];
    for await (const ev of client.watch({ ...key, fromSeq: acc.fromSeq })) {
      if (ev.type === "agent_message" && ev.payload.content.type === "text") {
        said.push(String(ev.payload.content.text));
      }
      if (ev.type === "turn_end") break;
    }
    assert.ok(said.join("").includes("after-hup"));
    await client.agentrunStop(key);
  } finally {
    client?.close();
    server.kill("SIGTERM");
    const st = await server.status;
    await server.stdout.cancel().catch(() => {});
    await server.stderr.cancel().catch(() => {});
    assert.equal(st.code, 0);
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mass daemon restart on a root with no daemon fails with one line", async () => {
  const root = await tempRoot();
  try {
    const out = await mass(["daemon", "restart", "--root", root]).output();
    assert.equal(out.code, 1);
    assert.equal(new TextDecoder().decode(out.stderr).trim(), "Error: daemon: not running");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
