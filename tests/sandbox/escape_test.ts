/**
 * The OS sandbox (spec.sandbox mode `auto`, bwrap here) from the inside: an agent that tries
 * to reach what is not its own fails at every attempt, and still works in its workspace.
 * The attacks run as the agent's own processes (`sh`, `deno eval`), not through the
 * agent-run's fs/* or terminal/* (which are checked too).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { createIdle, withRunsDaemon } from "../daemon/runs_helpers.ts";
import { until } from "../support/wait.ts";
import { ask, attempt, bwrapMissing, dialScript, sh, tcpScript } from "./sandbox_helpers.ts";

const skip = await bwrapMissing();

async function otherWorkspace(c: AriClient): Promise<string> {
  await c.workspaceCreate({ metadata: { name: "other" }, spec: { source: { type: "emptyDir" } } });
  const ws = await until("workspace other ready", async () => {
    const w = await c.workspaceGet("other");
    return w.status.phase === "ready" ? w : undefined;
  });
  return ws.status.path!;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "sandbox: every escape attempt from inside a run fails",
  ignore: skip !== undefined,
  fn: () =>
    withRunsDaemon(async ({ client: c, root, wsPath }) => {
      const secret = join(root, "secret.txt");
      await Deno.writeTextFile(secret, "TOP-SECRET", { mode: 0o600 });
      const otherWs = await otherWorkspace(c);
      await Deno.writeTextFile(join(otherWs, "theirs.txt"), "THEIRS");
      const victim = { workspace: "other", name: "victim" };
      const v = await createIdle(c, victim, { agent: "test" });
      const key = { workspace: "ws", name: "attacker" };
      const run = await createIdle(c, key, { agent: "test" });
      assert.deepEqual(run.status.sandbox, { mode: "bwrap", network: "host" });
      const vBundle = v.status.bundle!;
      const segments = [...Deno.readDirSync(join(vBundle, "events"))].map((e) => e.name);
      assert.ok(segments.length > 0);
      const segment = join(vBundle, "events", segments[0]);
      const segmentBefore = await Deno.readTextFile(segment);

      const reads: Record<string, string> = {
        "a 0600 file outside every workspace": secret,
        "another workspace's file": join(otherWs, "theirs.txt"),
        "the daemon root's mass.kv": join(root, "mass.kv"),
        "another run's config.json": join(vBundle, "config.json"),
        "its own config.json": join(run.status.bundle!, "config.json"),
        "its own event log": join(run.status.bundle!, "events", segments[0]),
        "agentd's environment": `/proc/${Deno.pid}/environ`,
      };
      for (const [what, path] of Object.entries(reads)) {
        const said = await sh(c, key, attempt(`cat ${path}`));
        assert.match(said, /^sh:0:denied/, `${what} (${path}): ${said}`);
      }
      const writes: Record<string, string> = {
        "outside the workspace": join(root, "pwned"),
        "into another workspace": join(otherWs, "pwned"),
        "another run's event log": segment,
        "another run's config.json": join(vBundle, "config.json"),
      };
      // The agent's own /tmp is a private tmpfs, and this test's daemon root lives under the
      // host's /tmp: a write may "succeed" into that tmpfs. What counts is the host.
      for (const [what, path] of Object.entries(writes)) {
        const before = await exists(path) ? await Deno.readTextFile(path) : undefined;
        await sh(c, key, `echo PWNED >> ${path}`);
        const after = await exists(path) ? await Deno.readTextFile(path) : undefined;
        assert.equal(after, before, `${what} (${path}) changed on the host`);
      }
      // Not even through its private /tmp (a tmpfs) or HOME: nothing lands on the host.
      const tmp = await sh(c, key, `echo PWNED > /tmp/x && echo PWNED > "$HOME/x" && echo wrote`);
      assert.match(tmp, /wrote/);
      assert.equal(await exists(join(root, "pwned")), false);
      assert.equal(await exists(join(otherWs, "pwned")), false);
      assert.equal(await Deno.readTextFile(segment), segmentBefore);

      const signal = await sh(c, key, attempt(`kill -0 ${Deno.pid}`));
      assert.match(signal, /^sh:0:denied/, `signal agentd: ${signal}`);

      for (const sock of [join(root, "mass.sock"), join(vBundle, "agent-run.sock")]) {
        const said = await sh(c, key, dialScript(sock));
        assert.match(said, /control-ok\\ndenied/, `connect ${sock}: ${said}`);
      }

      // What is its own still works: files, tools and fs/* in its workspace.
      assert.match(await sh(c, key, "echo mine > mine.txt && cat mine.txt && ls"), /^sh:0:mine\\n/);
      assert.equal(await Deno.readTextFile(join(wsPath, "mine.txt")), "mine\n");
      assert.match(await ask(c, key, "read mine.txt"), /read:ok:mine/);
      assert.match(await ask(c, key, `read ${secret}`), /read:error:/);
      await c.agentrunStop(key);
      await c.agentrunStop(victim);
    }),
});

Deno.test({
  name: "sandbox: network none cannot reach host loopback; host can; terminal/* is confined too",
  ignore: skip !== undefined,
  fn: () =>
    withRunsDaemon(async ({ client: c, root }) => {
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const accepting = (async () => {
        for await (const conn of listener) conn.close();
      })();
      try {
        const port = (listener.addr as Deno.NetAddr).port;
        const host = { workspace: "ws", name: "host" };
        await createIdle(c, host, { agent: "test", terminal: true });
        assert.match(await sh(c, host, tcpScript(port)), /tcp-ok/);
        const term = await ask(c, host, `terminal sh -c "cat ${root}/mass.kv || echo denied"`);
        assert.match(term, /terminal:exit:0:.*denied/, term);
        assert.match(await ask(c, host, "terminal ls"), /terminal:exit:0:/);

        const none = { workspace: "ws", name: "nonet" };
        const run = await createIdle(c, none, { agent: "test", sandbox: { network: "none" } });
        assert.deepEqual(run.status.sandbox, { mode: "bwrap", network: "none" });
        assert.match(await sh(c, none, tcpScript(port)), /tcp-denied/);
        await c.agentrunStop(host);
        await c.agentrunStop(none);
      } finally {
        listener.close();
        await accepting.catch(() => {});
      }
    }),
});
