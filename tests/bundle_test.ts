/**
 * `deno task bundle` output (design: `deno compile` cannot run here, so the bundle is what we
 * test). Bundles mass.ts and ctl/main.ts into a temp dir with .ci/bundle.ts, then runs the
 * two files from a directory with no deno.json, as a user would:
 * - bundled massctl against a daemon started from source, and with no daemon at all;
 * - bundled mass: `version --json`, refusing `server` without --unstable-kv, and a bundled
 *   daemon end to end (its agent-runs, the demo agent and the mesh entry run from the bundle).
 *
 * `deno bundle` needs esbuild, which deno fetches from the npm registry on first use (then
 * from its cache). If that fails, this test fails: it does not skip.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MASS_VERSION } from "../specs/runtime.ts";
import { meshMcpServerEntry } from "../specs/mesh.ts";
import {
  agentRunCommand,
  locateMass,
  MASS_LOCATION,
  massConfigFlags,
  MassEntryError,
} from "../runner/launch/mod.ts";
import { demoAgentArgs } from "../daemon/agents/builtins.ts";
import { recoveredClient } from "./support/server.ts";
import { foreignImports, stubImports, withShebang } from "../.ci/bundle.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const DENO = Deno.execPath();
const decoder = new TextDecoder();

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; SIGKILL after `timeoutMs`. */
async function run(
  args: string[],
  opts: { cwd: string; timeoutMs?: number; env?: Record<string, string> },
): Promise<Result> {
  const out = await new Deno.Command(DENO, {
    args,
    cwd: opts.cwd,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** A foreground `mass server` subprocess, its stderr collected. */
class Server {
  #child: Deno.ChildProcess;
  #stderr: Promise<string>;

  constructor(args: string[], cwd: string, readonly socket: string) {
    this.#child = new Deno.Command(DENO, {
      args,
      cwd,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.#stderr = new Response(this.#child.stderr).text();
  }

  /** Resolves when the ARI socket exists; throws if the server exits first or after 60 s. */
  async ready(): Promise<void> {
    let exited = false;
    this.#child.status.then(() => (exited = true));
    const deadline = Date.now() + 60_000;
    // Listening is not enough: mutating calls are refused until recovery is over.
    while (true) {
      if (exited) throw new Error(`mass server exited early: ${await this.#stderr}`);
      if (Date.now() > deadline) throw new Error("mass server: not recovered after 60 s");
      if (await exists(this.socket)) {
        const client = await recoveredClient(this.socket, 5_000);
        if (client) return client.close();
      }
      await delay(50);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s; returns its stderr. */
  async stop(): Promise<string> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 30_000);
    await this.#child.status;
    clearTimeout(timer);
    return await this.#stderr;
  }
}

/** Kills the process group of an agent-run this test started, if it is still there. */
function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

Deno.test("deno bundle: dist/mass.js and dist/massctl.js run on their own", async (t) => {
  const tmp = await Deno.makeTempDir({ prefix: "mb" });
  const dist = join(tmp, "dist");
  const massJs = join(dist, "mass.js");
  const massctlJs = join(dist, "massctl.js");
  // Where the bundles run from: no deno.json here or above (the temp dir).
  const away = join(tmp, "cwd");
  await Deno.mkdir(away);
  const massctl = (socket: string, args: string[]) =>
    run(["run", "-A", massctlJs, "--socket", socket, ...args], { cwd: away });
  try {
    await t.step(".ci/bundle.ts writes both bundles", async () => {
      const r = await run(["run", "-A", join(REPO, ".ci", "bundle.ts"), dist], {
        cwd: REPO,
        timeoutMs: 300_000,
      });
      assert.equal(r.code, 0, `bundle failed:\n${r.stdout}\n${r.stderr}`);
      for (const file of [massJs, massctlJs]) {
        const text = await Deno.readTextFile(file);
        assert.match(text, /^#!\/usr\/bin\/env -S deno run -A/);
        // Everything is inside: no import of anything but node: built-ins.
        const foreign = [...text.matchAll(/^import[\s{*][^;"']*?"([^"]+)";$/gm)]
          .map((m) => m[1]).filter((s) => !s.startsWith("node:"));
        assert.deepEqual(foreign, [], file);
      }
    });

    await t.step("bundled mass: version --json", async () => {
      const r = await run(["run", "-A", massJs, "version", "--json"], { cwd: away });
      assert.equal(r.code, 0, r.stderr);
      const info = JSON.parse(r.stdout);
      assert.equal(info.version, MASS_VERSION);
      assert.equal(info.denoVersion, Deno.version.deno);
    });

    await t.step("bundled massctl, daemon not running: one Error line, exit 1", async () => {
      const r = await massctl(join(tmp, "none.sock"), ["ws", "get", "-o", "json"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^Error: cannot connect to mass daemon at /);
    });

    await t.step("bundled massctl against a daemon run from source", async () => {
      const root = join(tmp, "src");
      const server = new Server(
        ["run", "-A", join(REPO, "mass.ts"), "server", "--root", root],
        REPO,
        join(root, "mass.sock"),
      );
      try {
        await server.ready();
        const v = await massctl(server.socket, ["version", "--json"]);
        assert.equal(v.code, 0, v.stderr);
        const version = JSON.parse(v.stdout);
        assert.equal(version.client.version, MASS_VERSION);
        assert.equal(version.daemon.version, MASS_VERSION);
        assert.equal(version.daemon.root, root);

        const empty = await massctl(server.socket, ["ws", "get", "-o", "json"]);
        assert.equal(empty.code, 0, empty.stderr);
        assert.deepEqual(JSON.parse(empty.stdout).items, []);
        const c = await massctl(server.socket, ["ws", "create", "empty", "--name", "w1", "--wait"]);
        assert.equal(c.code, 0, c.stderr);
        const one = await massctl(server.socket, ["ws", "get", "-o", "json"]);
        assert.equal(one.code, 0, one.stderr);
        const items = JSON.parse(one.stdout).items;
        assert.deepEqual(items.map((w: { metadata: { name: string } }) => w.metadata.name), [
          "w1",
        ]);
        assert.equal(items[0].status.phase, "ready");

        const missing = await massctl(server.socket, ["ws", "get", "nope", "-o", "json"]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /^Error: /);
      } finally {
        await server.stop();
      }
    });

    await t.step("bundled mass server refuses to start without --unstable-kv", async () => {
      const root = join(tmp, "nokv");
      const r = await run(["run", "-A", massJs, "server", "--root", root], { cwd: away });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Error: Deno KV is not enabled: run mass with --unstable-kv/);
      assert.equal(await exists(root), false, "nothing is created before the refusal");
    });

    await t.step(
      "bundled daemon end to end: agent-run and demo agent from the bundle",
      async () => {
        const root = join(tmp, "b");
        const server = new Server(
          ["run", "-A", "--unstable-kv", massJs, "server", "--root", root],
          away,
          join(root, "mass.sock"),
        );
        let runPid: number | undefined;
        try {
          await server.ready();
          const demo = await massctl(server.socket, ["agent", "get", "demo", "-o", "json"]);
          assert.equal(demo.code, 0, demo.stderr);
          assert.deepEqual(JSON.parse(demo.stdout).spec.args, [
            "run",
            "-A",
            "--no-config",
            massJs,
            "demo-agent",
          ]);

          const ws = await massctl(server.socket, [
            "ws",
            "create",
            "empty",
            "--name",
            "w",
            "--wait",
          ]);
          assert.equal(ws.code, 0, ws.stderr);
          const created = await massctl(server.socket, [
            "ar",
            "create",
            "-w",
            "w",
            "--name",
            "a",
            "--agent",
            "demo",
            "--wait",
            "--timeout",
            "60s",
          ]);
          const got = await massctl(server.socket, ["ar", "get", "a", "-w", "w", "-o", "json"]);
          assert.equal(got.code, 0, got.stderr);
          const ar = JSON.parse(got.stdout);
          runPid = ar.status.pid;
          assert.equal(created.code, 0, `${created.stderr}\n${JSON.stringify(ar.status)}`);
          assert.equal(ar.status.phase, "idle");

          // The agent-run is the bundle under its narrowed permissions, not mass.ts.
          const cmdline = (await Deno.readTextFile(`/proc/${runPid}/cmdline`)).split("\0");
          assert.ok(cmdline.includes(massJs), cmdline.join(" "));
          assert.ok(cmdline.includes("--no-config"), cmdline.join(" "));
          assert.ok(cmdline.some((a) => a.startsWith("--allow-read=")), cmdline.join(" "));
          assert.ok(!cmdline.includes("-A") && !cmdline.includes("--allow-all"));
          // Its mesh MCP entry starts the bundle too.
          const config = JSON.parse(
            await Deno.readTextFile(join(root, "runs", "w", "a", "config.json")),
          );
          const mesh = config.session.mcpServers[0];
          assert.deepEqual(mesh.args.slice(0, 5), ["run", "-A", "--no-config", massJs, "mesh-mcp"]);

          const p = await massctl(server.socket, [
            "ar",
            "prompt",
            "a",
            "-w",
            "w",
            "--text",
            "hello, write hi.txt",
            "--wait",
            "--timeout",
            "60s",
          ]);
          assert.equal(p.code, 0, p.stderr);
          assert.match(p.stdout, /Hello from the mass demo agent!/);
          assert.match(
            await Deno.readTextFile(join(root, "workspaces", "w", "hi.txt")),
            /Hello from the mass demo agent!/,
          );

          const stop = await massctl(server.socket, ["ar", "stop", "a", "-w", "w"]);
          assert.equal(stop.code, 0, stop.stderr);
        } finally {
          await server.stop();
          killGroup(runPid);
        }
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
});

Deno.test("locateMass: source tree, bundle, deno compile binary", () => {
  assert.deepEqual(locateMass("file:///src/mass/runner/launch/mass_location.ts", false), {
    kind: "source",
    entry: "/src/mass/mass.ts",
    config: "/src/mass/deno.json",
  });
  assert.deepEqual(locateMass("file:///opt/mass/dist/mass.js", false), {
    kind: "bundled",
    entry: "/opt/mass/dist/mass.js",
  });
  assert.equal(
    locateMass("file:///tmp/deno-compile-mass/runner/launch/mass_location.ts", true).kind,
    "standalone",
  );
  // This test runs from source.
  assert.equal(MASS_LOCATION.kind, "source");
  assert.equal(MASS_LOCATION.entry, join(REPO, "mass.ts"));
});

Deno.test("bundled mass: agent-run, demo agent and mesh entry start the bundle, configless", () => {
  const mass = locateMass("file:///opt/mass/dist/mass.js", false);
  assert.deepEqual(massConfigFlags(mass), ["--no-config"]);
  const { args } = agentRunCommand("/nonexistent/bundle", { denoPath: "/d/deno", mass });
  const at = args.indexOf("/opt/mass/dist/mass.js");
  assert.ok(at > 0, args.join(" "));
  assert.equal(args[at - 1], "--no-config");
  assert.deepEqual(args.slice(at + 1, at + 3), ["run", "--bundle"]);
  assert.ok(!args.some((a) => a.startsWith("--config")));

  assert.deepEqual(demoAgentArgs({ mass }), [
    "run",
    "-A",
    "--no-config",
    "/opt/mass/dist/mass.js",
    "demo-agent",
  ]);
  const source = locateMass("file:///src/mass/runner/launch/mass_location.ts", false);
  assert.deepEqual(demoAgentArgs({ mass: source, demoAgentPath: "/x/demo.ts" }), [
    "run",
    "-A",
    "/x/demo.ts",
  ]);

  const mesh = meshMcpServerEntry({
    endpoint: "/r/runs/w/a/mesh/mesh.sock",
    denoPath: "/d/deno",
    massEntry: mass.entry,
    denoConfig: false,
  });
  assert.deepEqual(mesh.args.slice(0, 5), ["run", "-A", "--no-config", mass.entry, "mesh-mcp"]);
});

Deno.test("compiled mass cannot start agent-runs: a typed error that says why", () => {
  const mass = locateMass("file:///tmp/deno-compile-mass/runner/launch/mass_location.ts", true);
  assert.throws(
    () => agentRunCommand("/nonexistent/bundle", { denoPath: "/d/deno", mass }),
    (err) => err instanceof MassEntryError && /deno compile/.test(err.message),
  );
});

Deno.test(".ci/bundle.ts: stubbed imports, foreign imports, shebang", () => {
  const code = [
    'import { a } from "node:fs";',
    'import devtools from "react-devtools-core";',
    'import x from "left-pad";',
    'export { y } from "./y.js";',
    '  import.meta.resolve("react-devtools-core");',
    "export {\n  a\n};",
  ].join("\n");
  const stubbed = stubImports(code, { "react-devtools-core": "{}" });
  assert.ok(stubbed.includes("var devtools = {};"));
  assert.ok(stubbed.includes('import.meta.resolve("react-devtools-core")'));
  assert.deepEqual(foreignImports(stubbed), ["left-pad", "./y.js"]);
  assert.deepEqual(foreignImports(code), ["react-devtools-core", "left-pad", "./y.js"]);
  assert.equal(withShebang("#!/old\nbody", "#!/new"), "#!/new\nbody");
  assert.equal(withShebang("body", "#!/new"), "#!/new\nbody");
});
