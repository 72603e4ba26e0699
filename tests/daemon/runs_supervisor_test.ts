import assert from "node:assert/strict";
import type { RunKey } from "../../specs/ari.ts";
import { errorCode } from "../../specs/errors.ts";
import type { Phase } from "../../specs/events.ts";
import { pidAlive, processesIn, processesWith, waitGone } from "../support/process.ts";
import { sleep, until } from "../support/wait.ts";
import {
  logEvents,
  runInput,
  type RunsFixture,
  runsFixture,
  TEST_AGENT,
  text,
  waitPhase,
} from "./runs_helpers.ts";

const key = { workspace: "ws", name: "a" };

/** Runs `fn` against a fresh {@link runsFixture}; closes it afterwards. */
async function withFixture(fn: (fx: RunsFixture) => Promise<void>): Promise<void> {
  const fx = await runsFixture();
  try {
    await fn(fx);
  } finally {
    await fx.close();
  }
}

/** Waits until the stored run `k` is in one of `phases`. */
function storedPhase(fx: RunsFixture, phases: Phase | Phase[], k: RunKey = key) {
  return waitPhase((k) => fx.store.getRun(k), k, phases);
}

Deno.test("supervisor: create → idle, prompt → idle, stop kills the group, delete", async () => {
  await withFixture(async (fx) => {
    const created = await fx.runs.create(runInput("a"));
    assert.equal(created.status.phase, "creating");
    const idle = await storedPhase(fx, ["idle", "error"]);
    assert.equal(idle.status.phase, "idle", idle.status.errorMessage);
    assert.ok(idle.status.pid);
    assert.ok(idle.status.sessionId);
    assert.equal(idle.status.bundle, `${fx.root}/runs/ws/a`);
    // Sandboxed (auto), the agent's pid is one of the agent-run's PID namespace: find the
    // run's processes from outside instead (the agent-run and the agent's bwrap name the bundle).
    const state = JSON.parse(await Deno.readTextFile(`${idle.status.bundle}/state.json`));
    assert.equal(state.sandbox?.mode, "bwrap");
    assert.equal(state.pid, undefined, "no namespace pid in state.json");
    const runPids = processesWith(idle.status.bundle!);
    assert.ok(runPids.length >= 3, "bwrap, the agent-run, the agent's bwrap");

    const acc = await fx.runs.prompt(key, text("delay 300\nsay hello"));
    assert.equal(acc.accepted, true);
    assert.equal(typeof acc.fromSeq, "number");
    await assert.rejects(fx.runs.prompt(key, text("say again")), (e) => errorCode(e) === -32001);
    await storedPhase(fx, "idle");

    const events = await logEvents(idle.status.bundle!, acc.fromSeq);
    assert.ok(events.some((e) => e.type === "turn_end"));
    assert.ok(events.some((e) => e.type === "agent_message"));

    const stopped = await fx.runs.stop(key);
    assert.equal(stopped.status.phase, "stopped");
    assert.equal(stopped.status.pid, undefined);
    assert.ok(!pidAlive(idle.status.pid!));
    await until("the run's processes gone", () => runPids.every((p) => !pidAlive(p)));

    await fx.runs.delete(key);
    await assert.rejects(Deno.stat(idle.status.bundle!), Deno.errors.NotFound);
    assert.equal(await fx.store.getRun(key), undefined);
  });
});

Deno.test("supervisor: restart continues the seq on the same bundle", async () => {
  await withFixture(async (fx) => {
    await fx.runs.create(runInput("a"));
    await storedPhase(fx, "idle");
    await fx.runs.prompt(key, text("say one"));
    const first = await until("turn one", async () => {
      const r = await fx.runs.get(key);
      return r.status.phase === "idle" && (r.status.lastSeq ?? -1) > 0 ? r : undefined;
    });
    await fx.runs.restart(key);
    const again = await storedPhase(fx, ["idle", "error"]);
    assert.equal(again.status.phase, "idle", again.status.errorMessage);
    assert.notEqual(again.status.pid, first.status.pid);
    assert.equal(again.status.restartCount ?? 0, 0, "a requested restart is not counted");
    const seqs = (await logEvents(again.status.bundle!)).map((ev) => ev.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i), "one continuous sequence");
    assert.ok(seqs.length > (first.status.lastSeq ?? 0) + 1);
    await fx.runs.stop(key);
  });
});

Deno.test("supervisor: stop during creating does not wait for the bootstrap, leaves nothing", async () => {
  await withFixture(async (fx) => {
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
      return found.length > 0 && found;
    });
    const stopped = await fx.runs.stop(key);
    assert.equal(stopped.status.phase, "stopped");
    await until("no agent-run left", () => processesWith(bundle).length === 0, 10_000);
    await waitGone(agents, "agent gone");
  });
});

Deno.test("supervisor: restart during creating starts exactly one agent-run", async () => {
  await withFixture(async (fx) => {
    await fx.store.createAgent({
      metadata: { name: "slowish" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT, "--init-delay", "500"] },
    });
    await fx.runs.create(runInput("a", "slowish"));
    const bundle = `${fx.root}/runs/ws/a`;
    await until("agent-run spawned", () => processesWith(bundle).length > 0);
    await fx.runs.restart(key);
    await fx.runs.restart(key);
    const idle = await storedPhase(fx, ["idle", "error"]);
    assert.equal(idle.status.phase, "idle", idle.status.errorMessage);
    await sleep(500);
    // The outermost process of each agent-run (its bwrap): one whose parent is not another.
    const withBundle = processesWith(bundle).filter((p) =>
      Deno.readTextFileSync(`/proc/${p}/cmdline`).includes("--bundle")
    );
    const runners = withBundle.filter((p) => !withBundle.includes(parentPid(p)));
    assert.deepEqual(runners, [idle.status.pid]);
    assert.equal((await fx.store.getRun(key))!.status.phase, "idle");
    await fx.runs.stop(key);
  });
});

Deno.test("supervisor: a failed prompt is reported on the run", async () => {
  await withFixture(async (fx) => {
    await fx.runs.create(runInput("a"));
    await storedPhase(fx, "idle");
    await fx.runs.prompt(key, text("error -32603 boom"));
    const failed = await until("failure reported", async () => {
      const r = await fx.store.getRun(key);
      return r?.status.errorMessage ? r : undefined;
    });
    assert.match(failed.status.errorMessage!, /prompt failed: .*boom/);
    assert.equal(failed.status.phase, "idle");
    await fx.runs.stop(key);
  });
});

Deno.test("supervisor: recovery without agent-runs: creating, restarting → started, idle → stopped", async () => {
  await withFixture(async (fx) => {
    for (const [name, phase] of [["c", "creating"], ["i", "idle"], ["r", "restarting"]] as const) {
      await fx.store.createRun({
        metadata: { workspace: "ws", name },
        spec: { agent: "test" },
        status: { phase },
      });
    }
    const summary = await fx.runs.recover();
    assert.deepEqual(summary, { attached: 0, stopped: 1, failed: 0, restarted: 2 });
    // A run whose agent-run never started (agentd went away mid-create) is started now.
    const c = await storedPhase(fx, ["idle", "error"], { workspace: "ws", name: "c" });
    assert.equal(c.status.phase, "idle", c.status.errorMessage);
    const i = (await fx.store.getRun({ workspace: "ws", name: "i" }))!;
    assert.equal(i.status.phase, "stopped");
    assert.match(i.status.errorMessage!, /^agent-run not recovered after daemon restart: /);
    const r = await storedPhase(fx, ["idle", "error"], { workspace: "ws", name: "r" });
    assert.equal(r.status.phase, "idle", r.status.errorMessage);
    await fx.runs.stop({ workspace: "ws", name: "r" });
    await fx.runs.stop({ workspace: "ws", name: "c" });
  });
});

function parentPid(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}
