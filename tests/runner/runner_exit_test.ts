/**
 * How an agent-run ends: agent crash, runtime/stop against a stubborn agent, SIGTERM to the
 * agent-run, failed and timed-out bootstrap, a turn past its timeout. Each time: state.json
 * records it, the event log says so, and neither process is left behind.
 */
import assert from "node:assert/strict";
import type { AgentRunEvent } from "../../specs/events.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { EventLog } from "../../runner/events/event_log.ts";
import {
  deadline,
  EventCollector,
  makeBundle,
  pidAlive,
  readState,
  Runner,
  socketExists,
  type TestBundle,
  text,
  until,
  waitForPhase,
} from "./harness.ts";
import { join } from "node:path";

async function logEvents(bundle: TestBundle): Promise<AgentRunEvent[]> {
  const log = await EventLog.open(join(bundle.dir, "events"));
  const out: AgentRunEvent[] = [];
  try {
    for await (const ev of log.read(0)) out.push(ev);
  } finally {
    await log.close();
  }
  return out;
}

function cleanup(runner: Runner, bundle: TestBundle) {
  return async () => {
    await runner.kill();
    await runner.stderr;
    await bundle.cleanup();
  };
}

Deno.test("agent crash: exit code recorded, agent_exit event, agent-run exits 3, nothing left", async () => {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  const peer = await runner.dial();
  try {
    const idle = await waitForPhase(peer, "idle");
    const agentPid = idle.state.pid!;
    const watch = await EventCollector.watch(bundle.socket, 0, { resume: false });
    await peer.request(RunnerMethods.prompt, text("say bye\ncrash 3")).catch(() => {});
    const st = await runner.wait();
    assert.equal(st.code, 3);
    assert.equal(pidAlive(agentPid), false);
    assert.equal(pidAlive(runner.pid), false);
    assert.equal(await socketExists(bundle.socket), false, "socket removed");

    const state = await readState(bundle);
    assert.equal(state.phase, "stopped");
    assert.equal(state.reason, "process-exited");
    assert.equal(state.exitCode, 3);
    assert.equal(state.exitSignal, null);

    const events = await logEvents(bundle);
    const types = events.map((e) => e.type);
    const exit = events.find((e) => e.type === "agent_exit");
    assert.ok(exit && exit.type === "agent_exit");
    assert.deepEqual(exit.payload, { exitCode: 3, signal: null, reason: "process-exited" });
    assert.ok(types.indexOf("turn_end") < types.indexOf("agent_exit"), "the turn ends first");
    const last = events.at(-1)!;
    assert.ok(last.type === "runtime_update" && last.payload.phase?.phase === "stopped");
    assert.equal(last.payload.phase?.reason, "process-exited");
    // The watcher got the whole story before the socket closed.
    assert.equal(watch.events.at(-1)?.seq, last.seq);
    watch.close();
  } finally {
    peer.close();
    await done();
  }
});

Deno.test("agent killed by a signal: exitSignal recorded", async () => {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  const peer = await runner.dial();
  try {
    await waitForPhase(peer, "idle");
    await peer.request(RunnerMethods.prompt, text("signal")).catch(() => {});
    assert.equal((await runner.wait()).code, 3);
    const state = await readState(bundle);
    assert.equal(state.exitCode, null);
    assert.equal(state.exitSignal, "SIGKILL");
  } finally {
    peer.close();
    await done();
  }
});

Deno.test("runtime/stop stops an agent that ignores stdin close and SIGTERM", async () => {
  const bundle = await makeBundle({ agentArgs: ["--ignore-stdin-close", "--ignore-sigterm"] });
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  const peer = await runner.dial();
  try {
    const idle = await waitForPhase(peer, "idle");
    const agentPid = idle.state.pid!;
    const turn = peer.request(RunnerMethods.prompt, text("hang_hard"), { timeoutMs: 30_000 });
    turn.catch(() => {});
    await waitForPhase(peer, "running");
    assert.equal(await peer.request(RunnerMethods.stop, null), null, "replies before stopping");
    // Bounded: cancel 2 s + stdin 2 s + SIGTERM 2 s + SIGKILL.
    const st = await runner.wait(20_000);
    assert.equal(st.code, 0);
    assert.equal(pidAlive(agentPid), false);
    const state = await readState(bundle);
    assert.equal(state.phase, "stopped");
    assert.equal(state.reason, "runtime-stop");
    assert.equal(state.exitSignal, "SIGKILL");
    const events = await logEvents(bundle);
    assert.ok(events.some((e) => e.type === "turn_end"), "the hung turn is closed in the log");
  } finally {
    peer.close();
    await done();
  }
});

Deno.test("SIGTERM to the agent-run stops it cleanly (exit 0, agent gone)", async () => {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  const peer = await runner.dial();
  try {
    const idle = await waitForPhase(peer, "idle");
    Deno.kill(runner.pid, "SIGTERM");
    assert.equal((await runner.wait()).code, 0);
    assert.equal(pidAlive(idle.state.pid!), false);
    assert.equal((await readState(bundle)).reason, "runtime-stop");
  } finally {
    peer.close();
    await done();
  }
});

Deno.test("session/new failing: bootstrap-failed, exit 2, agent gone", async () => {
  const bundle = await makeBundle({ agentArgs: ["--fail-new"] });
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  try {
    const st = await runner.wait(20_000);
    assert.equal(st.code, 2);
    const state = await readState(bundle);
    assert.equal(state.phase, "stopped");
    assert.equal(state.reason, "bootstrap-failed");
    assert.ok(state.pid && !pidAlive(state.pid));
    assert.equal(await socketExists(bundle.socket), false);
    const errors = (await logEvents(bundle)).filter((e) => e.type === "error");
    assert.equal(errors.length, 1);
  } finally {
    await done();
  }
});

Deno.test("bootstrap timeout: an agent slower than bootstrapTimeoutSeconds is stopped", async () => {
  const bundle = await makeBundle({
    agentArgs: ["--init-delay", "30000"],
    runtime: { bootstrapTimeoutSeconds: 1 },
  });
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  try {
    const st = await runner.wait(20_000);
    assert.equal(st.code, 2);
    const state = await readState(bundle);
    assert.equal(state.reason, "bootstrap-failed");
    assert.ok(state.pid && !pidAlive(state.pid));
    const err = (await logEvents(bundle)).find((e) => e.type === "error");
    assert.ok(err && err.type === "error" && /timed out/.test(err.payload.message));
  } finally {
    await done();
  }
});

Deno.test("turn timeout: cancel ends a hang; a hang_hard turn stops the agent-run (exit 4)", async () => {
  const bundle = await makeBundle({ runtime: { turnTimeoutSeconds: 1 } });
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  const peer = await runner.dial();
  try {
    await waitForPhase(peer, "idle");
    const res = await peer.request<{ stopReason: string }>(RunnerMethods.prompt, text("hang"), {
      timeoutMs: 20_000,
    });
    assert.equal(res.stopReason, "cancelled");
    await waitForPhase(peer, "idle");
    const hard = peer.request(RunnerMethods.prompt, text("hang_hard"), { timeoutMs: 30_000 });
    hard.catch(() => {});
    const st = await runner.wait(30_000);
    assert.equal(st.code, 4);
    const state = await readState(bundle);
    assert.equal(state.reason, "turn-timeout");
    assert.ok(state.pid && !pidAlive(state.pid));
    await deadline(hard.then(() => {}, () => {}), 5_000, "the prompt call to end");
  } finally {
    peer.close();
    await done();
  }
});

Deno.test("an agent that exits at once (bad command args) fails bootstrap without hanging", async () => {
  const bundle = await makeBundle();
  await bundle.writeConfig({
    ...bundle.config,
    process: { ...bundle.config.process, args: ["eval", "Deno.exit(7)"] },
  });
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  try {
    assert.equal((await runner.wait(20_000)).code, 2);
    const state = await until(
      async () => {
        const s = await readState(bundle);
        return s.phase === "stopped" ? s : undefined;
      },
      5_000,
      "stopped state",
    );
    assert.equal(state.exitCode, 7);
  } finally {
    await done();
  }
});

Deno.test("a bundle removed under a live agent-run: it stops itself (exit 5), agent gone", async () => {
  const bundle = await makeBundle();
  const runner = new Runner(bundle);
  const done = cleanup(runner, bundle);
  const peer = await runner.dial();
  try {
    const idle = await waitForPhase(peer, "idle");
    peer.close();
    await Deno.remove(bundle.root, { recursive: true });
    assert.equal((await runner.wait(20_000)).code, 5);
    await until(() => !pidAlive(idle.state.pid!), 5_000, "agent gone");
  } finally {
    peer.close();
    await done();
  }
});
