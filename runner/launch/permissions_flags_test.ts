import assert from "node:assert/strict";
import { join } from "node:path";
import { agentRunCommand, agentRunPermissionFlags, MASS_ENTRY, resolveCommand } from "./mod.ts";
import { KILL_BINARIES } from "./process_group.ts";

async function dirs() {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mpf" }));
  const bundle = join(root, "b");
  const ws = join(root, "ws");
  const bin = join(root, "bin");
  await Deno.mkdir(bundle);
  await Deno.mkdir(ws);
  await Deno.mkdir(bin);
  await Deno.writeTextFile(join(bin, "agent"), "#!/bin/sh\n");
  await Deno.chmod(join(bin, "agent"), 0o755);
  await Deno.symlink(ws, join(bundle, "workspace"));
  return { root, bundle, ws, bin, done: () => Deno.remove(root, { recursive: true }) };
}

const KILL = KILL_BINARIES.find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

Deno.test("resolveCommand: paths as is, bare names on PATH", async () => {
  const d = await dirs();
  try {
    assert.equal(resolveCommand("/x/y", undefined), "/x/y");
    assert.equal(resolveCommand("agent", `/nonexistent:${d.bin}`), join(d.bin, "agent"));
    assert.equal(resolveCommand("agent", "relative/dir"), undefined);
    assert.equal(resolveCommand("nope", d.bin), undefined);
  } finally {
    await d.done();
  }
});

Deno.test("flags: bundle and workspace (real paths), the socket, the agent and kill", async () => {
  const d = await dirs();
  try {
    const flags = agentRunPermissionFlags({
      bundleDir: join(d.bundle, "."),
      workspaceDir: join(d.bundle, "workspace"),
      agentCommand: "agent",
      pathEnv: d.bin,
    });
    const run = [join(d.bin, "agent"), ...(KILL ? [KILL] : [])].join(",");
    assert.deepEqual(flags, [
      "--no-prompt",
      `--allow-read=${d.bundle},${d.ws}`,
      `--allow-write=${d.bundle},${d.ws}`,
      `--allow-net=unix:${join(d.bundle, "agent-run.sock")}`,
      `--allow-run=${run}`,
    ]);
    assert.ok(!flags.some((f) => f.startsWith("--allow-env")), "no environment by default");
    assert.ok(!flags.includes("--allow-all") && !flags.includes("-A"));
  } finally {
    await d.done();
  }
});

Deno.test("flags: deno as the agent also allows the deno binary; env and terminal opt in", async () => {
  const d = await dirs();
  try {
    const flags = agentRunPermissionFlags({
      bundleDir: d.bundle,
      workspaceDir: d.ws,
      agentCommand: "/opt/deno/bin/deno",
      denoPath: "/usr/local/bin/deno",
      extraEnv: ["HOME", "HOME", "LANG"],
    });
    assert.ok(
      flags.some((f) => f.startsWith("--allow-run=/opt/deno/bin/deno,/usr/local/bin/deno")),
    );
    assert.ok(flags.includes("--allow-env=HOME,LANG"));
    const term = agentRunPermissionFlags({
      bundleDir: d.bundle,
      workspaceDir: d.ws,
      agentCommand: "x",
      terminal: true,
    });
    assert.ok(term.includes("--allow-run"), "terminal/* runs arbitrary commands");
  } finally {
    await d.done();
  }
});

Deno.test("agentRunCommand: deno run <flags> mass.ts run --bundle <real bundle>", async () => {
  const d = await dirs();
  try {
    await Deno.writeTextFile(
      join(d.bundle, "config.json"),
      JSON.stringify({
        agentRoot: { path: "workspace" },
        process: { command: "agent", env: [`PATH=${d.bin}`] },
      }),
    );
    const { cmd, args } = agentRunCommand(join(d.root, "b/../b"), {
      denoPath: "/d/deno",
      permissions: "deny_all",
    });
    assert.equal(cmd, "/d/deno");
    assert.equal(args[0], "run");
    const at = args.indexOf(MASS_ENTRY);
    assert.ok(at > 0);
    assert.deepEqual(args.slice(at + 1), [
      "run",
      "--bundle",
      d.bundle,
      "--permissions",
      "deny_all",
    ]);
    assert.ok(args.includes(`--allow-read=${d.bundle},${d.ws}`));
    assert.ok(args.some((a) => a.startsWith(`--allow-run=${join(d.bin, "agent")}`)));
    // A broken config still yields a command (mass run reports the problem itself).
    await Deno.writeTextFile(join(d.bundle, "config.json"), "{");
    const broken = agentRunCommand(d.bundle, { denoPath: "/d/deno" });
    assert.ok(broken.args.includes(`--allow-read=${d.bundle}`));
  } finally {
    await d.done();
  }
});
