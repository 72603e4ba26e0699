import assert from "node:assert/strict";
import { join } from "node:path";
import { MASS_LOCATION } from "../mass_location.ts";
import { agentRunViewArgs, massFiles } from "./agent_run_view.ts";

function pairs(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

Deno.test("agentRunViewArgs: bundle and workspace rw, mass and deno ro, no home, no root", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mrv" }));
  try {
    const bundle = join(root, "runs", "ws", "a");
    const ws = join(root, "workspaces", "ws");
    await Deno.mkdir(bundle, { recursive: true });
    await Deno.mkdir(ws, { recursive: true });
    await Deno.symlink(ws, join(bundle, "workspace"));
    const args = agentRunViewArgs({
      sandbox: {
        mode: "bwrap",
        network: "none",
        paths: [],
        readOnly: [],
        readWrite: [],
        host: { bwrap: "/usr/bin/bwrap" },
      },
      bundle,
      workspace: join(bundle, "workspace"),
      denoPath: Deno.execPath(),
      mass: MASS_LOCATION,
    });
    assert.deepEqual(pairs(args, "--bind"), [bundle, ws]);
    const ro = pairs(args, "--ro-bind");
    assert.ok(ro.includes(massFiles(MASS_LOCATION)));
    assert.ok(ro.includes("/etc"));
    for (const hidden of ["/", "/home", "/root", "/run", root, join(root, "mass.sock")]) {
      assert.ok(!ro.includes(hidden) && !pairs(args, "--bind").includes(hidden), hidden);
    }
    assert.deepEqual(pairs(args, "--tmpfs"), ["/tmp"]);
    for (const f of ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]) {
      assert.ok(args.includes(f), f);
    }
    assert.ok(!args.includes("--die-with-parent"), "the agent-run outlives agentd");
    assert.ok(!args.includes("--new-session"), "it stays in the group agentd stops");
    assert.deepEqual(pairs(args, "--remount-ro"), ["/"]);
    assert.equal(args.at(-1), "--");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
