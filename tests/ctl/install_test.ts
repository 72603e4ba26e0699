/**
 * `deno install -g` produces working `massctl` and `mass` shims (the README's install
 * commands), installed into a temp root and run from another directory.
 */
import assert from "node:assert/strict";
import { CONFIG, MASS, MASSCTL, REPO, run } from "./cli_helpers.ts";

Deno.test("deno install -g: massctl and mass run from anywhere", async () => {
  const root = await Deno.makeTempDir({ prefix: "mi" });
  try {
    const deno = Deno.execPath();
    for (const [name, entry] of [["massctl", MASSCTL], ["mass", MASS]]) {
      const r = await run(deno, [
        "install",
        "-g",
        "-A",
        "-n",
        name,
        "--config",
        CONFIG,
        "--root",
        root,
        entry,
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    // The shims call `deno` from PATH.
    const env = { PATH: `${root}/bin:${deno.replace(/\/[^/]+$/, "")}:/usr/bin:/bin` };
    const v = await run(`${root}/bin/massctl`, ["version"], { cwd: root, env });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^massctl: \d+\.\d+\.\d+/);
    const c = await run(`${root}/bin/massctl`, ["completion", "bash"], { cwd: root, env });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /complete -o default -F _massctl massctl/);
    const e = await run(`${root}/bin/massctl`, ["--socket", `${root}/none.sock`, "ws", "get"], {
      cwd: root,
      env,
    });
    assert.equal(e.code, 1);
    assert.match(e.stderr, /^Error: cannot connect to mass daemon at /);
    const m = await run(`${root}/bin/mass`, ["version"], { cwd: root, env });
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /^mass \d+\.\d+\.\d+/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bash .ci/install: wrappers that run without deno on PATH, a few lines of output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mi" });
  try {
    const denoDir = Deno.execPath().replace(/\/[^/]+$/, "");
    const r = await run("bash", [`${REPO}.ci/install`, "bin"], {
      cwd: dir,
      env: { PATH: `${denoDir}:/usr/bin:/bin`, HOME: dir },
      timeoutMs: 300_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.ok(lines.length <= 4, `a few lines, got:\n${r.stdout}`);
    assert.equal(lines[0], `installed: ${dir}/bin/massctl`, "relative DIR = the caller's");
    assert.equal(lines[1], `installed: ${dir}/bin/mass`);
    assert.match(r.stdout, new RegExp(`export PATH="${dir}/bin:\\$PATH"`), "says to add it");
    // The machine without deno: the wrappers call it by its absolute path.
    const env = { PATH: "/usr/bin:/bin", HOME: dir };
    const v = await run(`${dir}/bin/massctl`, ["-V"], { cwd: dir, env });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
    const e = await run(`${dir}/bin/massctl`, ["--socket", `${dir}/none.sock`, "ar", "get"], {
      cwd: dir,
      env,
    });
    assert.equal(e.code, 1);
    assert.match(e.stderr, /^Error: cannot connect to mass daemon at /);
    const m = await run(`${dir}/bin/mass`, ["version"], { cwd: dir, env });
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /^mass \d+\.\d+\.\d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
