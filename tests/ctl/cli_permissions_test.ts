/**
 * massctl and policy `ask`, end to end: the real CLI against a real daemon and the test
 * agent. `agentrun permissions` lists what waits, `get -o wide` counts it, `approve` and
 * `deny` answer the oldest request with the right option.
 */
import assert from "node:assert/strict";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { eventText } from "../../specs/events.ts";
import { killChild } from "../support/process.ts";
import { deadline, until } from "../support/wait.ts";
import { MASSCTL, massctl, ok, startDaemonProcess, testAgentYaml } from "./cli_helpers.ts";

/** Waits until exactly `n` requests are pending; returns their ids. */
function pendingIds(c: AriClient, n: number): Promise<string[]> {
  return until(`${n} pending request(s)`, async () => {
    const { items } = await c.agentrunPermissions({ workspace: "w", name: "r" });
    return items.length === n ? items.map((i) => i.requestId) : undefined;
  });
}

Deno.test("massctl: permissions, approve and deny under policy ask", async () => {
  const d = await startDaemonProcess();
  const ctl = (args: string[]) => massctl(d.socket, args);
  const dir = await Deno.makeTempDir({ prefix: "mc" });
  try {
    await Deno.writeTextFile(`${dir}/agent.yaml`, testAgentYaml("tester"));
    ok(await ctl(["agent", "apply", "-f", `${dir}/agent.yaml`]));
    ok(await ctl(["ws", "create", "empty", "--name", "w", "--wait"]));
    const created = ok(
      await ctl([
        "ar",
        "create",
        "-w",
        "w",
        "--name",
        "r",
        "--agent",
        "tester",
        "--permissions",
        "ask",
        "--permission-timeout",
        "10m",
        "--wait",
        "-o",
        "json",
      ]),
    );
    const run = JSON.parse(created.stdout);
    assert.equal(run.spec.permissions, "ask");
    assert.equal(run.spec.permissionTimeoutSeconds, 600);

    const none = await ctl(["ar", "approve", "r", "-w", "w"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^Error: agent w\/r has no pending permission requests\n$/);

    ok(
      await ctl([
        "ar",
        "prompt",
        "r",
        "-w",
        "w",
        "--text",
        "permission edit Edit f\nsay |\n" +
        "permission execute Run g",
      ]),
    );
    const [first] = await pendingIds(d.client, 1);

    const table = ok(await ctl(["ar", "permissions", "r", "-w", "w"])).stdout.split("\n");
    assert.match(table[0], /^REQUEST\s+KIND\s+TITLE\s+OPTIONS\s+AGE$/);
    assert.match(
      table[1],
      new RegExp(
        `^${first}\\s+edit\\s+Edit f\\s+allow_once,allow_always,reject_once,reject_always\\s+\\d+s$`,
      ),
    );
    const listed = JSON.parse(
      ok(await ctl(["ar", "permissions", "r", "-w", "w", "-o", "json"])).stdout,
    );
    assert.equal(listed.kind, "List");
    assert.equal(listed.items[0].requestId, first);
    const wide = ok(await ctl(["ar", "get", "-w", "w", "-o", "wide"])).stdout.split("\n");
    assert.match(wide[0], /PENDING\s+PID\s+RESTARTS\s+LOG\s+WORKTREE\s+SANDBOX\s+ERROR$/);
    assert.match(
      wide[1],
      /^w\s+r\s+tester\s+running\s+\d+s\s+1\s+\d+\s+0\s+[\d.]+(B|KiB|MiB)\s+(bwrap|none)\/host$/,
    );
    const plain = ok(await ctl(["ar", "get", "-w", "w"])).stdout.split("\n");
    assert.match(plain[1], /^w\s+r\s+tester\s+running\s+\d+s\s+1$/, "PENDING by default");

    const bad = await ctl(["ar", "deny", "r", "-w", "w", "--request", "nope"]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      new RegExp(`no pending permission request nope \\(pending: ${first}\\)`),
    );

    const approved = ok(await ctl(["ar", "approve", "r", "-w", "w"])).stdout;
    assert.equal(approved, `permission ${first} of w/r approved (allow_once): Edit f (edit)\n`);
    const [second] = await until("the second request", async () => {
      const ids = await pendingIds(d.client, 1);
      return ids[0] !== first ? ids : undefined;
    });
    const denied = ok(await ctl(["ar", "deny", "r", "-w", "w", "--request", second])).stdout;
    assert.equal(denied, `permission ${second} of w/r denied (reject_once): Run g (execute)\n`);

    await until("idle", async () => {
      const r = await d.client.agentrunGet({ workspace: "w", name: "r" });
      return r.status.phase === "idle" ? r : undefined;
    });
    assert.equal(
      (await d.client.agentrunGet({ workspace: "w", name: "r" })).status.pendingPermissions,
      0,
    );
    const events = JSON.parse(
      `[${
        ok(await ctl(["ar", "events", "r", "-w", "w", "-o", "json"])).stdout.trim().split("\n")
          .join(",")
      }]`,
    );
    const said = events.filter((e: { type: string }) => e.type === "agent_message").map(eventText)
      .join("");
    assert.equal(said, "permission:selected:allow_once|permission:selected:reject_once");
  } finally {
    await d.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("prompt --wait under ask: says what it waits for and how to answer; Ctrl+C leaves the turn", async () => {
  const d = await startDaemonProcess();
  const dir = await Deno.makeTempDir({ prefix: "mc" });
  const children: Deno.ChildProcess[] = [];
  try {
    await Deno.writeTextFile(`${dir}/agent.yaml`, testAgentYaml("tester"));
    ok(await massctl(d.socket, ["agent", "apply", "-f", `${dir}/agent.yaml`]));
    ok(await massctl(d.socket, ["ws", "create", "empty", "--name", "w", "--wait"]));
    const create = ["ar", "create", "-w", "w", "--name", "r", "--agent", "tester"];
    ok(await massctl(d.socket, [...create, "--permissions", "ask", "--wait"]));

    const waiting = (text: string) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MASSCTL, "--socket", d.socket, "ar", "prompt", "r", "-w", "w"]
          .concat(["--text", text, "--wait"]),
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(child);
      return child;
    };
    /** Reads `child`'s stderr until `pattern` shows; returns what was read, and the rest. */
    const readUntil = async (child: Deno.ChildProcess, pattern: RegExp) => {
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      const rest = (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
        return text;
      })();
      return { text, rest };
    };

    const child = waiting("permission edit Edit f\nsay done");
    const out = new Response(child.stdout).text();
    const { text, rest } = await deadline(
      readUntil(child, /waiting for permission/),
      30_000,
      "the waiting line",
    );
    const [id] = await pendingIds(d.client, 1);
    assert.match(
      text,
      new RegExp(
        `^waiting for permission: Edit f \\(edit\\) \\(request ${id}\\); answer with: ` +
          `massctl agentrun approve r -w w \\(or: massctl agentrun deny r -w w\\)\\n`,
      ),
    );
    ok(await massctl(d.socket, ["ar", "approve", "r", "-w", "w"]));
    assert.equal((await child.status).code, 0, await rest);
    assert.equal(await out, "permission:selected:allow_oncedone\n");

    const second = waiting("permission edit Edit g");
    const secondOut = new Response(second.stdout).text();
    const asked = await deadline(
      readUntil(second, /waiting for permission/),
      30_000,
      "the waiting line",
    );
    second.kill("SIGINT");
    assert.equal((await second.status).code, 130);
    await secondOut;
    assert.match(
      await asked.rest,
      /Error: interrupted: the turn keeps running \(cancel it with: massctl agentrun cancel r -w w\)\n$/,
    );
    const run = await d.client.agentrunGet({ workspace: "w", name: "r" });
    assert.equal(run.status.phase, "running", "the turn goes on");
    assert.equal(run.status.pendingPermissions, 1);
    ok(await massctl(d.socket, ["ar", "cancel", "r", "-w", "w"]));
  } finally {
    for (const c of children) killChild(c);
    await d.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
