/**
 * massctl end to end: the real CLI (`deno run -A ctl/main.ts`) against a real daemon
 * (`mass.ts server` on a temp root) with the scriptable test agent. Checks exit codes,
 * every output format, and that `prompt --wait` prints only its own turn.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { deadline, sleep, until } from "../support/wait.ts";
import {
  MASSCTL,
  massctl,
  ok,
  run,
  type RunResult,
  startDaemonProcess,
  testAgentYaml,
} from "./cli_helpers.ts";

/** stderr is exactly one `Error: …` line. */
function assertOneErrorLine(r: RunResult, pattern?: RegExp): void {
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], /^Error: /);
  if (pattern) assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+/, "no stack trace");
}

function waitIdle(client: AriClient, workspace: string, name: string): Promise<boolean> {
  return until(`${workspace}/${name} idle`, async () => {
    return (await client.agentrunGet({ workspace, name })).status.phase === "idle";
  });
}

Deno.test("massctl: daemon not running → one clear line, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "m" });
  try {
    const socket = `${dir}/mass.sock`;
    const r = await massctl(socket, ["ws", "get"]);
    assert.equal(r.code, 1);
    assertOneErrorLine(r);
    assert.equal(
      r.stderr.trim(),
      `Error: cannot connect to mass daemon at ${socket}: is it running? ` +
        `Start it with: mass server (or, from a checkout: deno task mass server)`,
    );
    // A stale socket file with nobody listening reads the same.
    const l = Deno.listen({ transport: "unix", path: socket });
    l.close();
    await Deno.writeTextFile(`${dir}/x`, "");
    const r2 = await massctl(socket, ["agent", "get"]);
    assert.equal(r2.code, 1);
    assertOneErrorLine(r2, /cannot connect to mass daemon/);
    // version still works and says so.
    const v = ok(await massctl(socket, ["version"]));
    assert.match(v.stdout, /^massctl: \d+\.\d+\.\d+/);
    assert.match(v.stdout, /daemon: not reachable/);
    const vj = JSON.parse(ok(await massctl(socket, ["version", "--json"])).stdout);
    assert.equal(vj.daemon, null);
    const st = await massctl(socket, ["daemon", "status"]);
    assert.equal(st.code, 1);
    assert.match(st.stdout, /^daemon: not running/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("massctl: unknown command, unknown option, missing flag → one line, exit 1", async () => {
  const socket = "/nonexistent/mass.sock";
  const a = await massctl(socket, ["frobnicate"]);
  assert.equal(a.code, 1);
  assertOneErrorLine(a, /^Error: unknown command 'frobnicate'/);
  const b = await massctl(socket, ["ws", "get", "--bogus"]);
  assert.equal(b.code, 1);
  assertOneErrorLine(b, /unknown option '--bogus'/);
  const c = await massctl(socket, ["ar", "prompt", "x", "--text", "hi"]);
  assert.equal(c.code, 1);
  assertOneErrorLine(c, /required option '-w, --workspace <name>' not specified/);
  const d = await massctl(socket, ["ws", "get", "-o", "xml"]);
  assert.equal(d.code, 1);
  assertOneErrorLine(d, /argument 'xml' is invalid/);
  const e = await massctl(socket, ["ar", "get", "somerun"]);
  assert.equal(e.code, 1);
  assertOneErrorLine(e, /--workspace \(-w\) is required/);
  // MASS_SOCKET is the default when --socket is not given.
  const env = await run(Deno.execPath(), ["run", "-A", MASSCTL, "agent", "get"], {
    env: { MASS_SOCKET: "/nonexistent/env.sock" },
  });
  assert.equal(env.code, 1);
  assertOneErrorLine(env, /at \/nonexistent\/env\.sock:/);
  const h = ok(await massctl(socket, ["--help"]));
  assert.match(h.stdout, /agentrun\|ar/);
});

Deno.test("massctl against a real daemon", async (t) => {
  const d = await startDaemonProcess();
  const ctl = (args: string[], opts = {}) => massctl(d.socket, args, opts);
  /** `ar prompt r1 -w w1 --text <text> …flags` */
  const prompt = (text: string, ...flags: string[]) =>
    ctl(["ar", "prompt", "r1", "-w", "w1", "--text", text, ...flags]);
  const dir = await Deno.makeTempDir({ prefix: "mc" });
  try {
    await t.step("version and daemon status show the daemon", async () => {
      const v = ok(await ctl(["version"]));
      assert.match(v.stdout, /^daemon: \d+\.\d+\.\d+ \(deno /m);
      const j = JSON.parse(ok(await ctl(["version", "--json"])).stdout);
      assert.equal(j.daemon.socketPath, d.socket);
      assert.equal(typeof j.client.version, "string");
      const s = ok(await ctl(["daemon", "status"]));
      assert.match(s.stdout, /^daemon: running \(pid: \d+, version: /);
      const sj = JSON.parse(ok(await ctl(["daemon", "status", "-o", "json"])).stdout);
      assert.equal(sj.root, d.root);
    });

    await t.step("agent apply -f creates, then updates; --disabled toggles", async () => {
      const file = `${dir}/agent.yaml`;
      await Deno.writeTextFile(file, testAgentYaml("tester"));
      const human = ok(await ctl(["agent", "apply", "-f", file]));
      assert.equal(human.stdout, 'agent "tester" created\n', "one line for a person");
      const created = await d.client.agentGet("tester");
      assert.equal(created.kind, "Agent");
      assert.equal(created.metadata.name, "tester");
      assert.equal(created.spec.command, Deno.execPath());
      // Second apply = update (create fails as a duplicate).
      await Deno.writeTextFile(file, testAgentYaml("tester", ["--no-load"]));
      const updated = JSON.parse(
        ok(await ctl(["agent", "apply", "-f", file, "-o", "json"])).stdout,
      );
      assert.equal(updated.spec.args.at(-1), "--no-load");
      assert.equal(updated.metadata.createdAt, created.metadata.createdAt);

      const off = ok(await ctl(["agent", "apply", "tester", "--disabled"]));
      assert.equal(off.stdout, 'agent "tester" disabled\n');
      assert.equal((await d.client.agentGet("tester")).spec.disabled, true);
      const table = ok(await ctl(["agent", "get", "tester"])).stdout.split("\n");
      assert.match(table[0], /^NAME\s+ENABLED\s+COMMAND\s+ARGS\s+AGE$/);
      assert.match(table[1], /^tester\s+false\s+/);
      const on = parseYaml(
        ok(await ctl(["agent", "apply", "tester", "--disabled=false", "-o", "yaml"])).stdout,
      );
      assert.equal(on.spec.disabled, false);
    });

    await t.step("agent get: table, wide, json (single and List), yaml", async () => {
      const wide = ok(await ctl(["agent", "get", "-o", "wide"])).stdout.split("\n");
      assert.match(wide[0], /^NAME\s+ENABLED\s+COMMAND\s+ARGS\s+AGE\s+LABELS$/);
      assert.ok(wide.some((l) => /^tester\s+true\s+.*\s+\d+[smhd]\s+<none>$/.test(l)));
      const one = JSON.parse(ok(await ctl(["agent", "get", "tester", "-o", "json"])).stdout);
      assert.equal(one.kind, "Agent");
      const list = JSON.parse(ok(await ctl(["agent", "get", "-o", "json"])).stdout);
      assert.equal(list.kind, "List");
      assert.ok(
        list.items.some((a: { metadata: { name: string } }) => a.metadata.name === "tester"),
      );
      const y = parseYaml(ok(await ctl(["agent", "get", "tester", "-o", "yaml"])).stdout);
      assert.equal(y.metadata.name, "tester");
      const missing = await ctl(["agent", "get", "nope"]);
      assert.equal(missing.code, 1);
      assertOneErrorLine(missing, /nope/);
    });

    await t.step("agent apply -f with a bad file names field and line", async () => {
      const file = `${dir}/bad-agent.yaml`;
      await Deno.writeTextFile(file, "metadata:\n  name: bad\nspec:\n  args: 3\n");
      const r = await ctl(["agent", "apply", "-f", file]);
      assert.equal(r.code, 1);
      assertOneErrorLine(r, /bad-agent\.yaml:3: spec\.command: is required/);
      assert.match(r.stderr, /bad-agent\.yaml:4: spec\.args: expected array/);
    });

    await t.step("workspace create empty/local/-f, get in every format", async () => {
      const e = ok(await ctl(["ws", "create", "empty", "--name", "w1", "--wait"]));
      assert.equal(e.stdout, 'Workspace "w1" created (phase: ready)\n', "one line, no JSON");

      await Deno.mkdir(`${dir}/proj`);
      const wsFile = `${dir}/ws.yaml`;
      await Deno.writeTextFile(
        wsFile,
        "metadata:\n  name: w2\nspec:\n  source:\n    type: local\n    path: proj\n",
      );
      const f = ok(await ctl(["ws", "create", "-f", wsFile, "--wait", "-o", "json"]));
      const w2 = JSON.parse(f.stdout);
      assert.equal(w2.spec.source.path, `${dir}/proj`, "relative path made absolute");
      assert.equal(w2.status.phase, "ready");

      const table = ok(await ctl(["ws", "get"])).stdout.trimEnd().split("\n");
      assert.match(table[0], /^NAME\s+PHASE\s+PATH\s+AGE$/);
      assert.match(table[1], /^w1\s+ready\s+\S+\s+\d+s$/);
      assert.match(table[2], new RegExp(`^w2\\s+ready\\s+${dir}/proj\\s+\\d+s$`));
      const wide = ok(await ctl(["ws", "get", "-o", "wide"])).stdout.split("\n");
      assert.match(wide[0], /AGE\s+SOURCE\s+ERROR$/);
      assert.match(wide[2], /local:/);
      const list = parseYaml(ok(await ctl(["ws", "get", "-o", "yaml"])).stdout);
      assert.equal(list.kind, "List");
      assert.deepEqual(list.items.map((w: { metadata: { name: string } }) => w.metadata.name), [
        "w1",
        "w2",
      ]);
      const two = JSON.parse(ok(await ctl(["ws", "get", "w1", "w2", "-o", "json"])).stdout);
      assert.equal(two.kind, "List", "several names print a List");
      assert.equal(two.items.length, 2);
    });

    const sysToken = crypto.randomUUID();
    await t.step("agentrun create --system-prompt --wait, get in every format", async () => {
      const r = ok(
        await ctl([
          "ar",
          "create",
          "-w",
          "w1",
          "--name",
          "r1",
          "--agent",
          "tester",
          "--system-prompt",
          `say sys-${sysToken}`,
          "--restart-policy",
          "never",
          "--wait",
        ]),
      );
      assert.equal(r.stdout, 'Agent run "w1"/"r1" created (state: idle)\n', "one line");
      const run = await d.client.agentrunGet({ workspace: "w1", name: "r1" });
      assert.equal(run.spec.restartPolicy, "never");

      const table = ok(await ctl(["ar", "get"])).stdout.trimEnd().split("\n");
      assert.match(table[0], /^WORKSPACE\s+NAME\s+AGENT\s+PHASE\s+AGE\s+PENDING$/);
      assert.match(table[1], /^w1\s+r1\s+tester\s+idle\s+\d+s\s+0$/);
      const wide = ok(await ctl(["ar", "get", "-w", "w1", "-o", "wide"])).stdout.split("\n");
      assert.match(wide[0], /AGE\s+PENDING\s+PID\s+RESTARTS\s+LOG\s+WORKTREE\s+SANDBOX\s+ERROR$/);
      assert.match(
        wide[1],
        /^w1\s+r1\s+tester\s+idle\s+\d+s\s+0\s+\d+\s+0\s+[\d.]+(B|KiB|MiB)\s+(bwrap|none)\/host$/,
      );
      const one = JSON.parse(ok(await ctl(["ar", "get", "r1", "-w", "w1", "-o", "json"])).stdout);
      assert.equal(one.kind, "AgentRun");
      const list = parseYaml(ok(await ctl(["ar", "get", "--phase", "idle", "-o", "yaml"])).stdout);
      assert.equal(list.kind, "List");
      assert.equal(list.items.length, 1);
      const none = JSON.parse(
        ok(await ctl(["ar", "get", "--phase", "error", "-o", "json"])).stdout,
      );
      assert.deepEqual(none, { kind: "List", items: [] });
    });

    await t.step(
      "prompt --wait prints only this turn's answer, never the system turn",
      async () => {
        for (let i = 0; i < 2; i++) {
          const token = crypto.randomUUID();
          const r = ok(await prompt(`say hello-${token}`, "--wait"));
          assert.equal(r.stdout, `hello-${token}\n`);
          assert.doesNotMatch(r.stdout, new RegExp(sysToken));
        }
        // Multi-chunk answers stream in order.
        const r = ok(await prompt("say a\nsay b\nsay c", "--wait"));
        assert.equal(r.stdout, "abc\n");
      },
    );

    await t.step('prompt without --wait prints {"accepted":true}', async () => {
      const r = ok(await prompt("say later"));
      assert.deepEqual(JSON.parse(r.stdout), { accepted: true });
      await waitIdle(d.client, "w1", "r1");
    });

    await t.step("prompt --wait: refusal and error exit 2, timeout exits 3", async () => {
      const refusal = await prompt("say part\nstop refusal", "--wait");
      assert.equal(refusal.code, 2);
      assert.equal(refusal.stdout, "part\n");
      assertOneErrorLine(refusal, /refusal/);
      await waitIdle(d.client, "w1", "r1");

      const failed = await prompt("error kaboom", "--wait");
      assert.equal(failed.code, 2);
      assertOneErrorLine(failed, /kaboom/);
      await waitIdle(d.client, "w1", "r1");

      const slow = await prompt("hang", "--wait", "--timeout", "1s");
      assert.equal(slow.code, 3);
      assertOneErrorLine(slow, /no answer within 1s/);
      ok(await ctl(["ar", "cancel", "r1", "-w", "w1"]));
      await waitIdle(d.client, "w1", "r1");
    });

    await t.step("events: replay ends at lastSeq; json lines; --from-seq", async () => {
      const r = ok(await ctl(["ar", "events", "r1", "-w", "w1", "-o", "json"]));
      const events = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.equal(events[0].seq, 0);
      events.forEach((e, i) => assert.equal(e.seq, i, "contiguous seqs"));
      assert.ok(events.some((e) => e.type === "turn_end"));
      assert.ok(!("watchId" in events[0]));
      const run = await d.client.agentrunGet({ workspace: "w1", name: "r1" });
      assert.equal(events.at(-1).seq, run.status.lastSeq);

      const from = ok(
        await ctl(["ar", "events", "r1", "-w", "w1", "--from-seq", "3", "-o", "json"]),
      );
      assert.equal(JSON.parse(from.stdout.split("\n")[0]).seq, 3);

      const human = ok(await ctl(["ar", "events", "r1", "-w", "w1"])).stdout.split("\n");
      assert.match(human[0], /^\s+0 \d\d:\d\d:\d\d\.\d{3} \w+/);
      assert.ok(human.some((l) => /turn_end\s+end_turn$/.test(l)));
      const y = ok(await ctl(["ar", "events", "r1", "-w", "w1", "--from-seq", "1", "-o", "yaml"]));
      assert.match(y.stdout, /^---\nrunId: /);
    });

    await t.step("events --follow streams new events", async () => {
      const token = crypto.randomUUID();
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "ctl/main.ts",
          "--socket",
          d.socket,
          "ar",
          "events",
          "r1",
          "-w",
          "w1",
          "--follow",
          "-o",
          "json",
        ],
        cwd: new URL("../../", import.meta.url).pathname,
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      try {
        await sleep(300);
        ok(await prompt(`say follow-${token}`));
        await deadline(
          (async () => {
            while (!seen.includes(`follow-${token}`)) {
              const { value, done } = await reader.read();
              if (done) break;
              seen += value;
            }
          })(),
          20_000,
          "the followed event",
        );
      } finally {
        child.kill("SIGTERM");
        await reader.cancel().catch(() => {});
        await child.status;
      }
      assert.match(seen, new RegExp(`follow-${token}`));
      await waitIdle(d.client, "w1", "r1");
    });

    await t.step("workspace send delivers to a member", async () => {
      ok(await ctl(["ar", "create", "-w", "w1", "--name", "r2", "--agent", "tester", "--wait"]));
      const r = ok(
        await ctl([
          "ws",
          "send",
          "-w",
          "w1",
          "--from",
          "r1",
          "--to",
          "r2",
          "--text",
          "say hi",
          "--needs-reply",
        ]),
      );
      assert.match(r.stdout, /^Message delivered: true/);
      const bad = await ctl([
        "ws",
        "send",
        "-w",
        "w1",
        "--from",
        "ghost",
        "--to",
        "r2",
        "--text",
        "x",
      ]);
      assert.equal(bad.code, 1);
      assertOneErrorLine(bad);
    });

    await t.step("restart: one line for a person, the run alone with -o json", async () => {
      const r = ok(await ctl(["ar", "restart", "r2", "-w", "w1"]));
      assert.match(r.stdout, /^agentrun w1\/r2 restarted \(state: \w+\)\n$/);
      await waitIdle(d.client, "w1", "r2");
      const j = JSON.parse(ok(await ctl(["ar", "restart", "r2", "-w", "w1", "-o", "json"])).stdout);
      assert.equal(j.metadata.name, "r2");
      await waitIdle(d.client, "w1", "r2");
    });

    await t.step("delete --force needs no --yes without a terminal (as the original)", async () => {
      const plain = await ctl(["ws", "delete", "w1"]);
      assert.equal(plain.code, 1);
      assertOneErrorLine(plain, /w1/);
      assert.equal((await d.client.agentrunList()).items.length, 2, "nothing was touched");

      const stop = ok(await ctl(["ar", "stop", "r2", "-w", "w1"]));
      assert.equal(stop.stdout, "agentrun w1/r2 stopped\n");
      const del = ok(await ctl(["ar", "delete", "r2", "-w", "w1"]));
      assert.equal(del.stdout, "agentrun w1/r2 deleted\n");

      const forced = ok(await ctl(["ws", "delete", "w1", "w2", "--force"]));
      assert.equal(
        forced.stdout,
        'agentrun w1/r1 deleted\nworkspace "w1" deleted\nworkspace "w2" deleted\n',
      );
      assert.deepEqual((await d.client.workspaceList()).items, []);
    });

    await t.step("compose: bad files name field and line; apply and delete", async () => {
      const bad = async (text: string, pattern: RegExp) => {
        const file = `${dir}/bad-compose.yaml`;
        await Deno.writeTextFile(file, text);
        const r = await ctl(["compose", "apply", "-f", file]);
        assert.equal(r.code, 1);
        assertOneErrorLine(r, pattern);
      };
      const good = `kind: workspace-compose
metadata:
  name: team
spec:
  source:
    type: empty
  runs:
    - name: coder
      agent: tester
      systemPrompt: say ready
`;
      await bad(good.replace("workspace-compose", "compose"), /bad-compose\.yaml:1: kind: /);
      await bad(
        good.replace("      agent: tester\n", ""),
        /:8: spec\.runs\[0\]\.agent: is required/,
      );
      await bad(
        good.replace("agent: tester", "agent: {x: 1}"),
        /:9: spec\.runs\[0\]\.agent: expected string/,
      );
      assert.deepEqual((await d.client.workspaceList()).items, [], "nothing created");

      const file = `${dir}/compose.yaml`;
      await Deno.writeTextFile(file, good);
      const up = ok(await ctl(["compose", "apply", "-f", file]));
      assert.match(
        up.stdout,
        /All agents are ready\. Socket info:\n {2}team\/coder: \/.+agent-run\.sock\n$/,
      );
      const run = await d.client.agentrunGet({ workspace: "team", name: "coder" });
      assert.equal(run.status.phase, "idle");
      const again = ok(await ctl(["compose", "apply", "-f", file]));
      assert.match(
        again.stdout,
        /^Workspace "team" exists\n(.*\n)*Agent run "team"\/"coder" exists\n/,
      );
      assert.equal((await d.client.agentrunList()).items.length, 1, "applied twice = once");

      const down = ok(await ctl(["compose", "delete", "-f", file]));
      assert.equal(down.stdout, 'agentrun team/coder deleted\nworkspace "team" deleted\n');
      assert.deepEqual((await d.client.agentrunList()).items, []);
    });

    await t.step("compose run: the cwd becomes a local workspace, reused next time", async () => {
      const proj = `${dir}/proj`;
      const r = ok(await ctl(["compose", "run", "-w", "here", "--agent", "tester"], { cwd: proj }));
      assert.match(r.stdout, /Agent is ready\. Socket info:\n {2}here\/tester: /);
      const ws = await d.client.workspaceGet("here");
      assert.deepEqual(ws.spec.source, { type: "local", path: proj });
      const r2 = ok(
        await ctl([
          "compose",
          "run",
          "-w",
          "here",
          "--agent",
          "tester",
          "--name",
          "t2",
          "--no-wait",
        ], {
          cwd: proj,
        }),
      );
      assert.equal(r2.stdout, 'Agent run "here"/"t2" created (state: creating)\n');
      await waitIdle(d.client, "here", "t2");
      ok(await ctl(["ws", "delete", "here", "--force", "--yes"]));
    });
  } finally {
    await d.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
