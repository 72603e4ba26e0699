/**
 * Scripts written for the original mass run unchanged (issue #9): `mass daemon start` takes
 * `--log-format`/`--log-path`, `mass run` takes `--state-dir`/`--id`, an original store on the
 * root is pointed out, `mass daemon status` fails without a daemon, `massctl -V` and
 * `massctl daemon stop` exist, and errors name what the user typed and the next step.
 */
import assert from "node:assert/strict";
import { killChild } from "../support/process.ts";
import { recoveredClient } from "../support/server.ts";
import { until } from "../support/wait.ts";
import { MASS, massctl, ok, REPO, run } from "./cli_helpers.ts";

const mass = (args: string[]) => run(Deno.execPath(), ["run", "-A", MASS, ...args]);

Deno.test("mass daemon status exits 1 without a daemon; mass run takes the original's flags", async () => {
  const root = await Deno.makeTempDir({ prefix: "mc" });
  try {
    const st = await mass(["daemon", "status", "--root", root]);
    assert.equal(st.code, 1, st.stdout + st.stderr);
    assert.match(st.stdout, /^daemon: not running/);
    // Unknown flags would fail with "unknown option"; these reach the bundle check instead.
    const r = await mass([
      "run",
      "--bundle",
      `${root}/no-bundle`,
      "--state-dir",
      root,
      "--id",
      "x",
      "--log-format",
      "json",
      "--log-path",
      root,
    ]);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stderr, /unknown option/);
    assert.match(r.stderr, /no-bundle/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("mass daemon start with the original's log flags; massctl -V, errors, daemon stop", async (t) => {
  const root = await Deno.makeTempDir({ prefix: "mc" });
  const logs = `${root}/elsewhere`;
  await Deno.writeFile(`${root}/mass.db`, new Uint8Array(32));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MASS,
      "daemon",
      "start",
      "--root",
      root,
      "--log-format",
      "text",
      "--log-path",
      logs,
    ],
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const socket = `${root}/mass.sock`;
  try {
    const client = await until("daemon", () => recoveredClient(socket, 30_000), 30_000);
    client.close();
    const ctl = (args: string[]) => massctl(socket, args);

    await t.step("massctl -V prints the version", async () => {
      assert.match(ok(await ctl(["-V"])).stdout, /^\d+\.\d+\.\d+\n$/);
    });

    await t.step("errors name what was typed and the next step", async () => {
      const nf = await ctl(["ar", "stop", "x", "-w", "nows"]);
      assert.equal(nf.code, 1);
      assert.match(nf.stderr, /^Error: agent run nows\/x not found \(list the runs: massctl/);
      ok(await ctl(["ws", "create", "empty", "--name", "w", "--wait"]));
      ok(await ctl(["ar", "create", "-w", "w", "--name", "a", "--agent", "demo", "--wait"]));
      const blocked = await ctl(["ws", "delete", "w"]);
      assert.equal(blocked.code, 1);
      assert.match(blocked.stderr, /workspace w still has agent runs a: .*--force\n$/);
      const busy = await ctl(["ar", "delete", "a", "-w", "w"]);
      assert.match(busy.stderr, /agentrun stop a -w w\), or delete it with --force\n$/);
      const dup = await ctl(["ar", "create", "-w", "w", "--name", "a", "--agent", "demo"]);
      assert.match(dup.stderr, /already exists: restart it \(massctl agentrun restart a -w w\)/);
    });

    await t.step(
      "agentrun debug --socket S status|stop talks to the agent-run itself",
      async () => {
        const sock = `${root}/runs/w/a/agent-run.sock`;
        const st = JSON.parse(ok(await ctl(["ar", "debug", "--socket", sock, "status"])).stdout);
        assert.equal(st.state.id, "a");
        assert.equal(st.state.phase, "idle");
        const stop = ok(await ctl(["ar", "debug", "stop", "--socket", sock]));
        assert.equal(stop.stdout, "stop sent\n");
        await until("the agent-run gone", async () => {
          const r = await ctl(["ar", "debug", "status", "--socket", sock]);
          return r.code === 1 ? r : undefined;
        });
        const none = await ctl(["ar", "debug", "status", "--socket", `${root}/none.sock`]);
        assert.equal(none.code, 1);
        assert.match(
          none.stderr,
          /^Error: no agent-run listens at .*none\.sock: is the run stopped\?\n$/,
        );
        ok(await ctl(["ws", "delete", "w", "--force"]));
      },
    );

    await t.step("massctl daemon stop stops it", async () => {
      const r = ok(await ctl(["daemon", "stop"]));
      assert.match(r.stdout, /^daemon: sent SIGTERM to pid \d+, waiting for exit...\n/);
      assert.match(r.stdout, /daemon: stopped \(pid: \d+\)\n$/);
      assert.equal((await child.status).code, 0);
      const again = ok(await ctl(["daemon", "stop"]));
      assert.match(again.stdout, /^daemon: not running/);
    });

    const said = await stderr;
    assert.match(said, new RegExp(`logging to ${logs}/mass-server\\.log`));
    assert.match(said, /found the original mass store .*mass\.db.*massctl agent apply -f/);
    assert.ok((await Deno.stat(`${logs}/mass-server.log`)).isFile, "--log-path is used");
  } finally {
    killChild(child);
    await child.status;
    await stderr.catch(() => {});
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("massctl ext pipeline example | validate, as the original", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mc" });
  try {
    const ctl = (args: string[]) => massctl(`${dir}/none.sock`, args, { cwd: dir });
    const ex = ok(await ctl(["ext", "pipeline", "example", "-o", "p.yaml"]));
    assert.equal(ex.stdout, "Example pipeline written to p.yaml\n");
    const again = await ctl(["ext", "pipeline", "example", "-o", "p.yaml"]);
    assert.match(again.stderr, /^Error: p\.yaml already exists/);
    const v = ok(await ctl(["ext", "pipeline", "validate", "p.yaml"]));
    assert.equal(
      v.stdout,
      'Pipeline "feature-with-review" validated successfully.\nStages: implement → review\n',
    );
    const text = await Deno.readTextFile(`${dir}/p.yaml`);
    await Deno.writeTextFile(`${dir}/bad.yaml`, text.replace("goto: __done__", "goto: finish"));
    const bad = await ctl(["ext", "pipeline", "validate", "bad.yaml"]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'Error: bad.yaml: stages[1].routes[0].goto: no stage named "finish"\n',
    );
    await Deno.writeTextFile(`${dir}/shape.yaml`, text.replace("  - name: review", "  - nme: x"));
    const shape = await ctl(["ext", "pipeline", "validate", "shape.yaml"]);
    assert.equal(shape.code, 1);
    assert.match(shape.stderr, /^Error: shape\.yaml:\d+: stages\[1\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
