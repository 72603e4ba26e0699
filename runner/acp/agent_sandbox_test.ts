import assert from "node:assert/strict";
import { join } from "node:path";
import type { RuntimeSandbox } from "../../specs/sandbox.ts";
import { agentViewArgs, agentWrap, sandboxEnv } from "./agent_sandbox.ts";

const sandbox: RuntimeSandbox = {
  mode: "bwrap",
  network: "none",
  paths: ["/opt/data"],
  readOnly: ["/opt/agent", "/opt/data", "/cache/deno"],
  readWrite: ["/r/repo/.git"],
  host: { bwrap: "/usr/bin/bwrap", denoDir: "/cache/deno" },
};

function pairs(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

Deno.test("agentViewArgs: workspace rw, private home and tmp, nothing else of the bundle", () => {
  const args = agentViewArgs(sandbox, "/r/runs/ws/a", "/r/ws", "/r/ws/sub");
  assert.deepEqual(pairs(args, "--bind"), ["/r/runs/ws/a/home", "/r/runs/ws/a/tmp", "/r/ws"]);
  assert.deepEqual(pairs(args, "--bind-try"), ["/r/repo/.git"], "a worktree's repository");
  const ro = pairs(args, "--ro-bind-try");
  for (const p of ["/usr", "/etc", "/opt/agent", "/opt/data", "/cache/deno"]) {
    assert.ok(ro.includes(p), p);
  }
  assert.ok(ro.includes("/r/runs/ws/a/mesh"), "the run's mesh endpoint directory");
  assert.ok(!ro.some((p) => p === "/r/runs/ws/a" || p.endsWith(".json")), "not the bundle");
  for (const f of ["--unshare-pid", "--unshare-net", "--die-with-parent"]) {
    assert.ok(args.includes(f), f);
  }
  assert.ok(!args.includes("--new-session"), "the detached spawn is its own session already");
  assert.deepEqual(pairs(args, "--chdir"), ["/r/ws/sub"]);
  assert.equal(args.at(-1), "--");
  const host = agentViewArgs({ ...sandbox, network: "host" }, "/b", "/w", "/w");
  assert.ok(!host.includes("--unshare-net"));
});

Deno.test("sandboxEnv: HOME and TMPDIR in the bundle, host XDG dirs dropped, DENO_DIR", () => {
  const env = sandboxEnv(
    { PATH: "/usr/bin", HOME: "/root", XDG_CONFIG_HOME: "/root/.config", KEY: "k" },
    "/b",
    sandbox,
  );
  assert.deepEqual(env, {
    PATH: "/usr/bin",
    HOME: join("/b", "home"),
    TMPDIR: join("/b", "tmp"),
    KEY: "k",
    DENO_DIR: "/cache/deno",
  });
});

Deno.test("agentWrap: identity when unconfined; bwrap with a home and tmp when sandboxed", async () => {
  const bundle = await Deno.makeTempDir({ prefix: "mas" });
  try {
    const none = await agentWrap({ ...sandbox, mode: "none" }, bundle, "/w");
    assert.deepEqual(none("agent", ["-x"], { A: "1" }, "/w"), {
      command: "agent",
      args: ["-x"],
      env: { A: "1" },
    });
    const wrap = await agentWrap(sandbox, bundle, "/w");
    const w = wrap("agent", ["-x"], {}, "/w");
    assert.equal(w.command, "/usr/bin/bwrap");
    assert.deepEqual(w.args.slice(-3), ["--", "agent", "-x"]);
    assert.ok((await Deno.stat(join(bundle, "home"))).isDirectory);
    assert.ok((await Deno.stat(join(bundle, "tmp"))).isDirectory);
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
});
