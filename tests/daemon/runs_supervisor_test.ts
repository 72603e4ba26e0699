import assert from "node:assert/strict";
import { errorCode } from "../../specs/errors.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { readEventFiles } from "../../daemon/runs/event_files.ts";
import { BOOTSTRAP_LOST } from "../../daemon/runs/recovery.ts";
import {
  pidAlive,
  processesIn,
  processesWith,
  runInput,
  runsFixture,
  TEST_AGENT,
  text,
  until,
  waitPhase,
} from "./runs_helpers.ts";

const key = { workspace: "ws", name: "a" };

Deno.test("supervisor: create → idle, prompt → idle, stop kills the group, delete", async () => {
  const fx = await runsFixture();
  try {
    const created = await fx.runs.create(runInput("a"));
    assert.equal(created.status.phase, "creating");
    const idle = await waitPhase((k) => fx.store.getRun(k), key, ["idle", "error"]);
    assert.equal(idle.status.phase, "idle", idle.status.errorMessage);
    assert.ok(idle.status.pid);
    assert.ok(idle.status.sessionId);
    assert.equal(idle.status.bundle, `${fx.root}/runs/ws/a`);
    const state = JSON.parse(await Deno.readTextFile(`${idle.status.bundle}/state.json`));
    const agentPid: number = state.pid;
    assert.ok(pidAlive(agentPid));

    const acc = await fx.runs.prompt(key, text("delay 300\nsay hello"));
    assert.equal(acc.accepted, true);
    assert.equal(typeof acc.fromSeq, "number");
    await assert.rejects(fx.runs.prompt(key, text("say again")), (e) => errorCode(e) === -32001);
    await waitPhase((k) => fx.store.getRun(k), key, "idle");

    const events: AgentRunEvent[] = [];
    for await (const ev of readEventFiles(`${idle.status.bundle}/events`, acc.fromSeq)) {
      events.push(ev);
    }
    assert.ok(events.some((e) => e.type === "turn_end"));
    assert.ok(events.some((e) => e.type === "agent_message"));

    const stopped = await fx.runs.stop(key);
    assert.equal(stopped.status.phase, "stopped");
    assert.equal(stopped.status.pid, undefined);
    assert.ok(!pidAlive(idle.status.pid!));
    assert.ok(!pidAlive(agentPid));

    await fx.runs.delete(key);
    await assert.rejects(Deno.stat(idle.status.bundle!), Deno.errors.NotFound);
    assert.equal(await fx.store.getRun(key), undefined);
  } finally {
    await fx.close();
  }
});

Deno.test("supervisor: restart continues the seq on the same bundle", async () => {
  const fx = await runsFixture();
  try {
    await fx.runs.create(runInput("a"));
    await waitPhase((k) => fx.store.getRun(k), key, "idle");
    await fx.runs.prompt(key, text("say one"));
    const first = await until("turn one", async () => {
      const r = await fx.runs.get(key);
      return r.status.phase === "idle" && (r.status.lastSeq ?? -1) > 0 ? r : undefined;
    });
    await fx.runs.restart(key);
    const again = await waitPhase((k) => fx.store.getRun(k), key, ["idle", "error"]);
    assert.equal(again.status.phase, "idle", again.status.errorMessage);
    assert.notEqual(again.status.pid, first.status.pid);
    assert.equal(again.status.restartCount, 1);
    const seqs: number[] = [];
    for await (const ev of readEventFiles(`${again.status.bundle}/events`)) seqs.push(ev.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i), "one continuous sequence");
    assert.ok(seqs.length > (first.status.lastSeq ?? 0) + 1);
    await fx.runs.stop(key);
  } finally {
    await fx.close();
  }
});

Deno.test("supervisor: stop during creating does not wait for the bootstrap, leaves nothing", async () => {
  const fx = await runsFixture();
  try {
    await fx.store.createAgent({
      metadata: { name: "slow" },
      spec: {
        command: Deno.execPath(),
        args: ["run", "-A", TEST_AGENT, "--init-delay", "20000", "--ignore-stdin-close"],
      },
    });
    await fx.runs.create(runInput("a", "slow"));
    const bundle = `${fx.root}/runs/ws/a`;
    const agents = await until("agent spawned", () => {
      const found = processesIn(fx.wsPath);
      return found.length > 0 ? found : undefined;
    });
    const stopped = await fx.runs.stop(key);
    assert.equal(stopped.status.phase, "stopped");
    await until("no agent-run left", () => processesWith(bundle).length ? undefined : true, 10_000);
    await until("agent gone", () => agents.some(pidAlive) ? undefined : true, 10_000);
  } finally {
    await fx.close();
  }
});

Deno.test("supervisor: restart during creating starts exactly one agent-run", async () => {
  const fx = await runsFixture();
  try {
    await fx.store.createAgent({
      metadata: { name: "slowish" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT, "--init-delay", "500"] },
    });
    await fx.runs.create(runInput("a", "slowish"));
    const bundle = `${fx.root}/runs/ws/a`;
    await until("agent-run spawned", () => processesWith(bundle).length > 0 ? true : undefined);
    await fx.runs.restart(key);
    await fx.runs.restart(key);
    const idle = await waitPhase((k) => fx.store.getRun(k), key, ["idle", "error"]);
    assert.equal(idle.status.phase, "idle", idle.status.errorMessage);
    await new Promise((r) => setTimeout(r, 500));
    const runners = processesWith(bundle).filter((p) =>
      Deno.readTextFileSync(`/proc/${p}/cmdline`).includes("--bundle")
    );
    assert.deepEqual(runners, [idle.status.pid]);
    assert.equal((await fx.store.getRun(key))!.status.phase, "idle");
    await fx.runs.stop(key);
  } finally {
    await fx.close();
  }
});

Deno.test("supervisor: a failed prompt is reported on the run", async () => {
  const fx = await runsFixture();
  try {
    await fx.runs.create(runInput("a"));
    await waitPhase((k) => fx.store.getRun(k), key, "idle");
    await fx.runs.prompt(key, text("error -32603 boom"));
    const failed = await until("failure reported", async () => {
      const r = await fx.store.getRun(key);
      return r?.status.errorMessage ? r : undefined;
    });
    assert.match(failed.status.errorMessage!, /prompt failed: .*boom/);
    assert.equal(failed.status.phase, "idle");
    await fx.runs.stop(key);
  } finally {
    await fx.close();
  }
});

Deno.test("supervisor: recovery without agent-runs: creating → error, idle → stopped, restarting → started", async () => {
  const fx = await runsFixture();
  try {
    for (const [name, phase] of [["c", "creating"], ["i", "idle"], ["r", "restarting"]] as const) {
      await fx.store.createRun({
        metadata: { workspace: "ws", name },
        spec: { agent: "test" },
        status: { phase },
      });
    }
    const summary = await fx.runs.recover();
    assert.deepEqual(summary, { attached: 0, stopped: 2, failed: 0, restarted: 1 });
    const c = (await fx.store.getRun({ workspace: "ws", name: "c" }))!;
    assert.equal(c.status.phase, "error");
    assert.equal(c.status.errorMessage, BOOTSTRAP_LOST);
    const i = (await fx.store.getRun({ workspace: "ws", name: "i" }))!;
    assert.equal(i.status.phase, "stopped");
    assert.match(i.status.errorMessage!, /^agent-run not recovered after daemon restart: /);
    const r = await waitPhase((k) => fx.store.getRun(k), { workspace: "ws", name: "r" }, [
      "idle",
      "error",
    ]);
    assert.equal(r.status.phase, "idle", r.status.errorMessage);
    await fx.runs.stop({ workspace: "ws", name: "r" });
  } finally {
    await fx.close();
  }
});
