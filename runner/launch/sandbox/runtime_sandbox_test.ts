import assert from "node:assert/strict";
import { join } from "node:path";
import { MASS_LOCATION } from "../mass_location.ts";
import { massFiles } from "./agent_run_view.ts";
import { runtimeSandbox } from "./runtime_sandbox.ts";

const host = { bwrap: "/usr/bin/bwrap", denoDir: "/nonexistent/deno-cache" };
const applied = { mode: "bwrap" as const, network: "host" as const, paths: [] };

Deno.test("runtimeSandbox: a deno agent sees deno, its cache, mass and its script's project", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mrs" }));
  try {
    const proj = join(root, "proj");
    await Deno.mkdir(join(proj, "src"), { recursive: true });
    await Deno.writeTextFile(join(proj, "deno.json"), "{}");
    await Deno.writeTextFile(join(proj, "src", "agent.ts"), "");
    const sb = runtimeSandbox({
      applied,
      host,
      commands: [{ command: Deno.execPath(), args: ["run", "-A", join(proj, "src", "agent.ts")] }],
      mass: MASS_LOCATION,
    });
    assert.equal(sb.mode, "bwrap");
    assert.ok(sb.readOnly.includes(proj), "the script's project");
    assert.ok(sb.readOnly.includes(massFiles(MASS_LOCATION)), "mass, for its MCP servers");
    assert.ok(sb.readOnly.includes(host.denoDir));
    assert.deepEqual(sb.host, host);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("runtimeSandbox: no socket, nothing of the daemon root, even when an arg names it", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mrs" }));
  const listener = Deno.listen({ transport: "unix", path: join(root, "mass.sock") });
  try {
    await Deno.writeTextFile(join(root, "mass.kv"), "");
    const sb = runtimeSandbox({
      applied: { ...applied, paths: [join(root, "mass.kv"), "/nonexistent"] },
      host,
      commands: [{
        command: Deno.execPath(),
        args: ["run", `--socket=${join(root, "mass.sock")}`, join(root, "mass.kv")],
      }],
      mass: MASS_LOCATION,
      deny: [root],
    });
    assert.ok(!sb.readOnly.some((p) => p.startsWith(root)), sb.readOnly.join(","));
    const none = runtimeSandbox({
      applied: { mode: "none", network: "host", paths: [], reason: "r" },
      commands: [],
      mass: MASS_LOCATION,
    });
    assert.deepEqual(none.readOnly, []);
    assert.equal(none.reason, "r");
  } finally {
    listener.close();
    await Deno.remove(root, { recursive: true });
  }
});
