/**
 * Issue #8 (isolation), workspace side: broad `local` directories are refused unless
 * `spec.source.allowBroadPath` says so, and hooks never see agentd's environment.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { until } from "../support/wait.ts";
import { rpcError, startTestDaemon, tempRoot } from "./ari_helpers.ts";

Deno.test("local workspace at /, an ancestor of the root or $HOME: -32602 unless allowBroadPath", async () => {
  const home = await Deno.realPath(await tempRoot());
  const root = join(home, "r");
  const t = await startTestDaemon({ seedBuiltins: false, root, env: { HOME: home, PATH: "" } });
  try {
    const local = (name: string, path: string, allowBroadPath?: boolean) =>
      t.client.workspaceCreate({
        metadata: { name },
        spec: { source: { type: "local", path, ...(allowBroadPath ? { allowBroadPath } : {}) } },
      });
    for (const [path, what] of [["/", "filesystem root"], [home, "home directory"]]) {
      const err = await rpcError(() => local("broad", path));
      assert.equal(err.code, -32602, err.message);
      assert.ok(err.message.includes(`local path ${path} is the ${what}`), err.message);
      assert.ok(err.message.includes("spec.source.allowBroadPath: true"), err.message);
    }
    const up = await rpcError(() => local("broad", dirname(home)));
    assert.equal(up.code, -32602);
    assert.match(up.message, /is an ancestor of the mass root .*allowBroadPath/);
    // The root itself stays refused, flag or not.
    assert.match((await rpcError(() => local("inroot", root, true))).message, /inside the mass/);

    await Deno.mkdir(join(home, "project"));
    await local("project", join(home, "project"));
    await local("home", home, true);
    for (const name of ["project", "home"]) {
      const ws = await until(`${name} ready`, async () => {
        const w = await t.client.workspaceGet(name);
        return w.status.phase !== "pending" && w;
      });
      assert.equal(ws.status.phase, "ready", JSON.stringify(ws.status));
    }
  } finally {
    await t.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("workspace hooks get PATH, HOME, LANG, MASS_WORKSPACE and what they name, not agentd's env", async () => {
  // Set in this process too: before the fix a hook inherited the process environment.
  Deno.env.set("MASS_H8B_AGENTD_SECRET", "leaked");
  const host: Record<string, string> = {
    ...Deno.env.toObject(),
    MASS_H8B_AGENTD_SECRET: "leaked",
    MASS_H8B_PASSED: "passed-by-name",
  };
  const t = await startTestDaemon({ seedBuiltins: false, env: host });
  try {
    await t.client.workspaceCreate({
      metadata: { name: "hooked" },
      spec: {
        source: { type: "emptyDir" },
        hooks: {
          setup: [{
            command: "sh",
            args: ["-c", "env > env.txt"],
            env: [
              { name: "LITERAL", value: "lit" },
              { name: "RENAMED", valueFrom: { env: "MASS_H8B_PASSED" } },
            ],
          }],
        },
      },
    });
    const ws = await until("hooked ready", async () => {
      const w = await t.client.workspaceGet("hooked");
      return w.status.phase !== "pending" && w;
    });
    assert.equal(ws.status.phase, "ready", JSON.stringify(ws.status));
    const env = await Deno.readTextFile(join(ws.status.path!, "env.txt"));
    assert.ok(!env.includes("MASS_H8B_AGENTD_SECRET"), env);
    assert.ok(!env.includes("MASS_H8B_PASSED="), env);
    assert.match(env, /^LITERAL=lit$/m);
    assert.match(env, /^RENAMED=passed-by-name$/m);
    assert.ok(env.includes(`MASS_WORKSPACE=${ws.status.path}\n`), env);
    assert.ok(env.includes(`PATH=${host.PATH}\n`), env);
  } finally {
    Deno.env.delete("MASS_H8B_AGENTD_SECRET");
    await t.close();
  }
});
