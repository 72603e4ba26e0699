/**
 * massctl and policy `ask`, end to end: the real CLI against a real daemon and the test
 * agent. `agentrun permissions` lists what waits, `get -o wide` counts it, `approve` and
 * `deny` answer the oldest request with the right option.
 */
import assert from "node:assert/strict";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { eventText } from "../../specs/events.ts";
import { until } from "../support/wait.ts";
import { massctl, ok, startDaemonProcess, testAgentYaml } from "./cli_helpers.ts";

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
      ]),
    );
    const run = JSON.parse(created.stdout.slice(created.stdout.indexOf("\n") + 1));
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
    assert.match(wide[0], /RESTARTS\s+PENDING\s+LOG\s+WORKTREE\s+ERROR$/);
    assert.match(wide[1], /^w\s+r\s+tester\s+running\s+\d+s\s+\d+\s+0\s+1\s+[\d.]+(B|KiB|MiB)$/);

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
