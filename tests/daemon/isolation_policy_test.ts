/**
 * Issue #8 (isolation), policies on the client side: what the agent asks the client to do
 * (`fs/write_text_file`, `terminal/create`) passes the run's permission policy; and
 * `fs/read_text_file` has a size cap, with line/limit still serving parts of a big file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { PermissionPolicy } from "../../specs/runtime.ts";
import type { RunKey } from "../../specs/ari.ts";
import { eventText } from "../../specs/events.ts";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { until } from "../support/wait.ts";
import { ariRun, createIdle, text, turnEvents, waitPhase, withRunsDaemon } from "./runs_helpers.ts";

async function said(
  c: AriClient,
  key: RunKey,
  prompt: string,
  answer?: (c: AriClient) => Promise<void>,
) {
  const acc = await c.agentrunPrompt({ ...key, prompt: text(prompt) });
  const events = turnEvents(c, key, acc.fromSeq);
  if (answer) await answer(c);
  const reply = (await events).filter((e) => e.type === "agent_message").map(eventText).join("");
  await waitPhase(ariRun(c, key), key, "idle");
  return reply;
}

/** Answers the one pending request (its tool kind checked) with `optionId`. */
function respond(key: RunKey, kind: string, optionId: "allow" | "reject") {
  return async (c: AriClient) => {
    const item = await until("a pending request", async () => {
      const { items } = await c.agentrunPermissions(key);
      return items[0];
    });
    assert.equal(item.toolCall.kind, kind);
    assert.match(item.toolCall.title ?? "", kind === "edit" ? /^Write / : /^Run /);
    await c.agentrunRespondPermission({ ...key, requestId: item.requestId, optionId });
  };
}

async function run(c: AriClient, name: string, permissions: PermissionPolicy) {
  const key = { workspace: "ws", name };
  await createIdle(c, key, { agent: "test", permissions, terminal: true });
  return key;
}

Deno.test("policies gate fs/write_text_file and terminal/create", async () => {
  await withRunsDaemon(async ({ client: c, wsPath }) => {
    await Deno.writeTextFile(join(wsPath, "r.txt"), "readable");

    const all = await run(c, "all", "approve_all");
    assert.equal(await said(c, all, "write all.txt hi"), "write:ok");
    assert.match(await said(c, all, "terminal echo ok"), /^terminal:created:.*terminal:exit:0:ok/);

    const deny = await run(c, "deny", "deny_all");
    const denied = await said(c, deny, "write deny.txt hi\nterminal echo ok\nread r.txt");
    assert.match(
      denied,
      /write:error:fs\/write_text_file \S*deny\.txt: .*policy deny_all refuses it/,
    );
    assert.match(denied, /terminal:error:terminal\/create echo: .*deny_all refuses it/);
    assert.doesNotMatch(denied, /terminal:exit/);
    assert.match(denied, /read:ok:readable$/, "reads are not gated");
    await assert.rejects(() => Deno.stat(join(wsPath, "deny.txt")), Deno.errors.NotFound);

    for (const policy of ["approve_reads", "ask"] as const) {
      const key = await run(c, policy.replace("_", "-"), policy);
      const file = `${policy}.txt`;
      assert.equal(
        await said(c, key, `write ${file} yes`, respond(key, "edit", "allow")),
        "write:ok",
      );
      assert.equal(await Deno.readTextFile(join(wsPath, file)), "yes");
      assert.match(
        await said(c, key, `write ${file} no`, respond(key, "edit", "reject")),
        new RegExp(`write:error:.*rejected \\(policy ${policy}\\)`),
      );
      assert.equal(await Deno.readTextFile(join(wsPath, file)), "yes", "a rejected write");
      assert.match(
        await said(c, key, "terminal echo ok", respond(key, "execute", "allow")),
        /terminal:exit:0:ok/,
      );
      const refused = await said(c, key, "terminal echo no", respond(key, "execute", "reject"));
      assert.match(refused, /terminal:error:.*rejected/);
      assert.equal((await c.agentrunGet(key)).status.pendingPermissions, 0);
    }
  });
});

Deno.test("fs/read_text_file: over 10 MiB is -32602; line/limit still read parts of it", async () => {
  await withRunsDaemon(async ({ client: c, wsPath }) => {
    const line = "x".repeat(1023);
    const lines = Array.from({ length: 11 * 1024 }, (_, i) => `${i}:${line}`);
    await Deno.writeTextFile(join(wsPath, "big.txt"), lines.join("\n"));
    const key = await run(c, "reader", "approve_all");
    const reply = await said(c, key, "read big.txt\nread_lines big.txt 5000 2");
    assert.match(
      reply,
      /read:error:\S*big\.txt: the file is \d+ bytes, over the fs\/read_text_file limit of 10485760 bytes; read it in parts with line and limit/,
    );
    assert.ok(reply.endsWith(`read_lines:ok:${lines[4999]}\n${lines[5000]}`), reply.slice(-200));
  });
});

Deno.test("a write outside the workspace is refused before anyone is asked", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const key = await run(c, "outside", "ask");
    const reply = await said(c, key, "write ../escape.txt x");
    assert.match(reply, /^write:error:path is outside the workspace/);
    assert.equal((await c.agentrunGet(key)).status.pendingPermissions, 0);
  });
});
