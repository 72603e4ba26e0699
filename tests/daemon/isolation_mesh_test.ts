/**
 * Issue #8 (isolation), the mesh: agents never get ARI. Each run that has the workspace mesh
 * gets its own endpoint from agentd at `<bundle>/mesh/mesh.sock`, which speaks for that run
 * only (a claimed `from` is ignored) and reaches only its workspace.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MeshClient } from "../../runner/mesh/mesh_client.ts";
import type { RuntimeConfig } from "../../specs/runtime.ts";
import { errorCode } from "../../specs/errors.ts";
import { eventText } from "../../specs/events.ts";
import { until } from "../support/wait.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { ariRun, createIdle, startRunsDaemon, turnEvents, waitPhase } from "./runs_helpers.ts";

const msg = (t: string) => [{ type: "text", text: t }];

async function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    return errorCode(err);
  }
  throw new Error("expected the call to fail");
}

Deno.test("mesh endpoint: per run, sender fixed, own workspace only, no ARI for the agent", async () => {
  let d = await startRunsDaemon();
  const root = d.root;
  const clients: MeshClient[] = [];
  try {
    const c = d.client;
    await c.workspaceCreate({ metadata: { name: "ws2" }, spec: { source: { type: "emptyDir" } } });
    await until("ws2 ready", async () => (await c.workspaceGet("ws2")).status.phase === "ready");
    const alice = await createIdle(c, { workspace: "ws", name: "alice" });
    await createIdle(c, { workspace: "ws", name: "bob" });
    await createIdle(c, { workspace: "ws2", name: "x" });

    // The agent's config: the mesh server gets the run's endpoint, never agentd's socket.
    const bundle = alice.status.bundle!;
    const raw = await Deno.readTextFile(join(bundle, "config.json"));
    const config: RuntimeConfig = JSON.parse(raw);
    const mesh = config.session.mcpServers.find((s) => s.name === "workspace-mesh")!;
    const endpoint = join(bundle, "mesh", "mesh.sock");
    assert.equal(mesh.args[mesh.args.indexOf("--endpoint") + 1], endpoint);
    assert.ok(!raw.includes("mass.sock"), "agentd's socket is nowhere in config.json");
    assert.ok(!config.process.env.some((e) => e.includes(d.daemon.paths.socket)));
    assert.ok((await Deno.lstat(endpoint)).isSocket);
    assert.equal((await Deno.stat(endpoint)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(join(bundle, "mesh"))).mode! & 0o777, 0o700);

    const fromAlice = await MeshClient.connect(endpoint);
    clients.push(fromAlice);
    // A claimed sender and workspace are ignored: the message is from alice, in ws.
    const bob = { workspace: "ws", name: "bob" };
    const turn = turnEvents(c, bob, (await c.agentrunGet(bob)).status.lastSeq! + 1);
    const sent = await fromAlice.send(
      {
        to: "bob",
        message: msg("say hello-from-the-mesh"),
        from: "bob",
        workspace: "ws2",
      } as Parameters<MeshClient["send"]>[0],
    );
    assert.equal(sent.delivered, true);
    const said = (await turn).map((ev) =>
      ev.type === "user_message" ? JSON.stringify(ev.payload) : eventText(ev)
    ).join("\n");
    assert.ok(said.includes("hello-from-the-mesh"), said);
    assert.match(said, /from=\\"alice\\"/);
    assert.doesNotMatch(said, /from=\\"bob\\"/);

    // Other workspaces are out of reach, whatever the params say.
    assert.equal(await codeOf(fromAlice.send({ to: "x", message: msg("hi") })), -32602);
    assert.equal(await codeOf(fromAlice.send({ to: "ws2/x", message: msg("hi") })), -32602);
    assert.equal(
      await codeOf(fromAlice.send({ to: "x", workspace: "ws2", message: msg("hi") } as never)),
      -32602,
    );
    const status = await fromAlice.status();
    assert.equal(status.self, "alice");
    assert.equal(status.workspace.name, "ws");
    assert.deepEqual(status.members.map((m) => m.name), ["alice", "bob"]);
    // Nothing else is served there: no ARI.
    const peer = await dialUnix(endpoint);
    try {
      assert.equal(await codeOf(peer.request("workspace/list", {})), -32601);
      assert.equal(await codeOf(peer.request("agentrun/prompt", { workspace: "ws2" })), -32601);
    } finally {
      peer.close();
    }

    // agentd restarts: the endpoint is served again for the recovered run.
    d.client.close();
    await d.daemon.close();
    d = await startRunsDaemon(root);
    await waitPhase(ariRun(d.client, { workspace: "ws", name: "alice" }), {
      workspace: "ws",
      name: "alice",
    }, "idle");
    const again = await MeshClient.connect(endpoint);
    clients.push(again);
    assert.equal((await again.status()).self, "alice");

    // Delete: the run's endpoint goes with it.
    await waitPhase(ariRun(d.client, bob), bob, "idle");
    const bobEndpoint = join((await d.client.agentrunGet(bob)).status.bundle!, "mesh", "mesh.sock");
    assert.ok((await Deno.lstat(bobEndpoint)).isSocket);
    await d.client.agentrunStop(bob);
    await d.client.agentrunDelete(bob);
    await assert.rejects(() => Deno.lstat(bobEndpoint), Deno.errors.NotFound);
    assert.equal(await codeOf(again.send({ to: "bob", message: msg("gone") })), -32602);
  } finally {
    for (const m of clients) m.close();
    for (const [workspace, name] of [["ws", "alice"], ["ws", "bob"], ["ws2", "x"]]) {
      await d.client.agentrunStop({ workspace, name }).catch(() => {});
    }
    await d.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("mesh/wait: a busy run takes a peer's reply from its inbox; bounded; own workspace", async () => {
  const d = await startRunsDaemon();
  const clients: MeshClient[] = [];
  const alice = { workspace: "ws", name: "alice" };
  const bob = { workspace: "ws", name: "bob" };
  try {
    const c = d.client;
    const a = await createIdle(c, alice);
    const b = await createIdle(c, bob);
    const fromAlice = await MeshClient.connect(join(a.status.bundle!, "mesh", "mesh.sock"));
    const fromBob = await MeshClient.connect(join(b.status.bundle!, "mesh", "mesh.sock"));
    clients.push(fromAlice, fromBob);

    // alice is busy (as while her agent waits in a tool call): bob's reply is queued...
    await c.agentrunPrompt({ ...alice, prompt: [{ type: "text", text: "hang" }] });
    await waitPhase(ariRun(c, alice), alice, "running");
    const waiting = fromAlice.wait({ from: "bob", timeoutSeconds: 30 });
    const sent = await fromBob.send({ to: "alice", message: msg("the-reply") });
    assert.deepEqual(sent, { delivered: false, queued: true });
    // ...and alice's wait takes it out of her inbox.
    const got = await waiting;
    assert.equal(got.received, true);
    assert.equal(got.received && got.from, "bob");
    assert.equal(got.received && got.message[0].text, "the-reply");
    assert.deepEqual(await d.daemon.deps.store.listInbox(alice), [], "taken, not delivered later");

    // Nothing from bob: the wait ends at its bound.
    assert.deepEqual(await fromAlice.wait({ from: "bob", timeoutSeconds: 0.3 }), {
      received: false,
    });
    // A peer outside the workspace, or no bound within the limit: -32602.
    assert.equal(await codeOf(fromAlice.wait({ from: "x" })), -32602);
    assert.equal(await codeOf(fromAlice.wait({ from: "bob", timeoutSeconds: 601 })), -32602);
    await c.agentrunCancel(alice);
  } finally {
    for (const m of clients) m.close();
    for (const key of [alice, bob]) await d.client.agentrunStop(key).catch(() => {});
    await d.close();
  }
});
