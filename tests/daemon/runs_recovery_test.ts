/**
 * Recovery for real: agentd runs as a subprocess (`mass server`), is killed with SIGKILL in
 * the middle of streaming turns, and started again on the same root.
 */
import assert from "node:assert/strict";
import { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { eventText } from "../../specs/events.ts";
import { killChild, killGroup, pidAlive } from "../support/process.ts";
import { spawnServer } from "../support/server.ts";
import { sleep } from "../support/wait.ts";
import {
  ariRun,
  collect,
  createIdle,
  envelope,
  isTurnEnd,
  logEvents,
  setupAri,
  startRunsDaemon,
  text,
  turnEvents,
  waitPhase,
  waitRestarted,
} from "./runs_helpers.ts";

const startServer = (root: string) => spawnServer(root, { args: ["--log-level", "debug"] });

/** About 2 s of streaming: 8 bursts of 1000 chunks, 250 ms apart. */
const STREAM = Array.from({ length: 8 }, () => "delay 250\nchunks 1000").join("\n");

Deno.test("recovery: kill -9 of agentd mid-stream loses and duplicates nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  let server = await startServer(root);
  const pids: number[] = [];
  try {
    await setupAri(server.client);
    const keys: RunKey[] = ["r0", "r1", "r2"].map((name) => ({ workspace: "ws", name }));
    const onFailure: RunKey = { workspace: "ws", name: "pf" };
    for (const key of keys) {
      await server.client.agentrunCreate({ metadata: key, spec: { agent: "test" } });
    }
    await server.client.agentrunCreate({
      metadata: onFailure,
      spec: { agent: "test", restartPolicy: "on-failure" },
    });
    const before = new Map<string, number>();
    for (const key of [...keys, onFailure]) {
      const r = await waitPhase(ariRun(server.client, key), key, "idle");
      before.set(key.name, r.status.pid!);
      pids.push(r.status.pid!);
    }

    // Long turns, each watched by a client that resumes on its own across the restart.
    const turns = await Promise.all(keys.map(async (key) => {
      const acc = await server.client.agentrunPrompt({
        ...key,
        prompt: text(STREAM),
      });
      const watcher = AriClient.connect(`${root}/mass.sock`);
      const c = await watcher;
      const events = collect(c.watch({ ...key, fromSeq: acc.fromSeq }), isTurnEnd, 120_000);
      return { key, fromSeq: acc.fromSeq!, events, c };
    }));

    await sleep(1_000);
    server.client.close();
    Deno.kill(server.child.pid, "SIGKILL");
    const killedAt = new Date().toISOString();
    await server.child.status;
    for (const pid of pids) assert.ok(pidAlive(pid), "agent-runs outlive agentd");

    server = await startServer(root);
    const c = server.client;
    for (const key of [...keys, onFailure]) {
      const r = await c.agentrunGet(key);
      assert.ok(["idle", "running"].includes(r.status.phase), `${key.name}: ${r.status.phase}`);
      assert.equal(r.status.pid, before.get(key.name), "re-attached to the same agent-run");
    }

    for (const t of turns) {
      const got = (await t.events).map(envelope);
      t.c.close();
      const bundle = `${root}/runs/ws/${t.key.name}`;
      const onDisk = (await logEvents(bundle, t.fromSeq)).filter((e) => e.seq <= got.at(-1)!.seq);
      assert.equal(got.length, onDisk.length, `${t.key.name}: every event exactly once`);
      assert.deepEqual(got, onDisk);
      const chunks = got.filter((e) => /^chunk-/.test(eventText(e)));
      assert.equal(chunks.length, 8000);
      assert.ok(got[0].time < killedAt && got.at(-1)!.time > killedAt, "killed mid-stream");
      await waitPhase(ariRun(c, t.key), t.key, "idle");
    }

    // Prompts work afterwards.
    const acc = await c.agentrunPrompt({ ...keys[0], prompt: text("say after") });
    const after = await turnEvents(c, keys[0], acc.fromSeq);
    assert.ok(after.some((e) => e.type === "agent_message"));
    await waitPhase(ariRun(c, keys[0]), keys[0], "idle");

    // A recovered agent-run that dies is noticed.
    Deno.kill(before.get("r1")!, "SIGKILL");
    const dead = await waitPhase(ariRun(c, keys[1]), keys[1], ["stopped", "error"]);
    assert.equal(dead.status.phase, "stopped");
    assert.ok(dead.status.errorMessage);

    // A recovered run keeps its restart policy.
    await c.agentrunPrompt({ ...onFailure, prompt: text("crash 3") });
    const back = await waitRestarted(c, onFailure, before.get("pf"), "pf restarted");
    assert.equal(back.status.restartCount, 1);
    pids.push(back.status.pid!);

    for (const key of [...keys, onFailure]) await c.agentrunStop(key);
    for (const pid of pids) assert.ok(!pidAlive(pid));
  } finally {
    server.client.close();
    killChild(server.child, "SIGTERM");
    await server.child.status;
    for (const pid of pids) killGroup(pid);
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("recovery: graceful agentd restart in-process re-attaches; stop still works", async () => {
  let d = await startRunsDaemon();
  const root = d.root;
  const key = { workspace: "ws", name: "g" };
  try {
    const first = await createIdle(d.client, key);
    await d.client.agentrunPrompt({ ...key, prompt: text("delay 300\nsay during") });
    d.client.close();
    await d.daemon.close();
    assert.ok(pidAlive(first.status.pid!), "agent-run outlives agentd");

    d = await startRunsDaemon(root);
    const again = await d.client.agentrunGet(key);
    assert.equal(again.status.pid, first.status.pid);
    await waitPhase(ariRun(d.client, key), key, "idle");
    const acc = await d.client.agentrunPrompt({ ...key, prompt: text("say after") });
    await turnEvents(d.client, key, acc.fromSeq);
    await d.client.agentrunStop(key);
    assert.equal((await d.client.agentrunGet(key)).status.phase, "stopped");
    assert.ok(!pidAlive(first.status.pid!));
  } finally {
    await d.close();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
