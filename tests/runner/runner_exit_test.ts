/**
 * How an agent-run ends: agent crash, runtime/stop against a stubborn agent, SIGTERM to the
 * agent-run, failed and timed-out bootstrap, a turn past its timeout. Each time: state.json
 * records it, the event log says so, and neither process is left behind.
 */
import assert from "node:assert/strict";
import type { AgentRunEvent } from "../../specs/events.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { EventLog } from "../../specs/eventlog/mod.ts";
import { join } from "node:path";
import { pidAlive, waitGone } from "../support/process.ts";
import { deadline, until } from "../support/wait.ts";
import {
  EventCollector,
  readState,
  socketExists,
  type TestBundle,
  text,
  waitForPhase,
  withRunner,
  withRunnerProcess,
} from "./harness.ts";

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

Deno.test("agent crash: exit code recorded, agent_exit event, agent-run exits 3, nothing left", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
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
  });
});

Deno.test("agent killed by a signal: exitSignal recorded", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
    await waitForPhase(peer, "idle");
    await peer.request(RunnerMethods.prompt, text("signal")).catch(() => {});
    assert.equal((await runner.wait()).code, 3);
    const state = await readState(bundle);
    assert.equal(state.exitCode, null);
    assert.equal(state.exitSignal, "SIGKILL");
  });
});

Deno.test("runtime/stop stops an agent that ignores stdin close and SIGTERM", async () => {
  await withRunner(
    { agentArgs: ["--ignore-stdin-close", "--ignore-sigterm"] },
    async ({ bundle, runner, peer }) => {
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
    },
  );
});

Deno.test("SIGTERM to the agent-run stops it cleanly (exit 0, agent gone)", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
    const idle = await waitForPhase(peer, "idle");
    Deno.kill(runner.pid, "SIGTERM");
    assert.equal((await runner.wait()).code, 0);
    assert.equal(pidAlive(idle.state.pid!), false);
    assert.equal((await readState(bundle)).reason, "runtime-stop");
  });
});

Deno.test("session/new failing: bootstrap-failed, exit 2, agent gone", async () => {
  await withRunnerProcess({ agentArgs: ["--fail-new"] }, async ({ bundle, runner }) => {
    const st = await runner.wait(20_000);
    assert.equal(st.code, 2);
    const state = await readState(bundle);
    assert.equal(state.phase, "stopped");
    assert.equal(state.reason, "bootstrap-failed");
    assert.ok(state.pid && !pidAlive(state.pid));
    assert.equal(await socketExists(bundle.socket), false);
    const errors = (await logEvents(bundle)).filter((e) => e.type === "error");
    assert.equal(errors.length, 1);
  });
});

Deno.test("bootstrap timeout: an agent slower than bootstrapTimeoutSeconds is stopped", async () => {
  await withRunnerProcess({
    agentArgs: ["--init-delay", "30000"],
    runtime: { bootstrapTimeoutSeconds: 1 },
  }, async ({ bundle, runner }) => {
    const st = await runner.wait(20_000);
    assert.equal(st.code, 2);
    const state = await readState(bundle);
    assert.equal(state.reason, "bootstrap-failed");
    assert.ok(state.pid && !pidAlive(state.pid));
    const err = (await logEvents(bundle)).find((e) => e.type === "error");
    assert.ok(err && err.type === "error" && /timed out/.test(err.payload.message));
  });
});

Deno.test("turn timeout: cancel ends a hang; a hang_hard turn stops the agent-run (exit 4)", async () => {
  await withRunner({ runtime: { turnTimeoutSeconds: 1 } }, async ({ bundle, runner, peer }) => {
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
  });
});

Deno.test("an agent that exits at once (bad command args) fails bootstrap without hanging", async () => {
  const prepare = (bundle: TestBundle) =>
    bundle.writeConfig({
      ...bundle.config,
      process: { ...bundle.config.process, args: ["eval", "Deno.exit(7)"] },
    });
  await withRunnerProcess({ prepare }, async ({ bundle, runner }) => {
    assert.equal((await runner.wait(20_000)).code, 2);
    const state = await until("stopped state", async () => {
      const s = await readState(bundle);
      return s.phase === "stopped" ? s : undefined;
    }, 5_000);
    assert.equal(state.exitCode, 7);
  });
});

Deno.test("a bundle removed under a live agent-run: it stops itself (exit 5), agent gone", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
    const idle = await waitForPhase(peer, "idle");
    peer.close();
    // Moved away in one step, deleted once nothing writes into it any more: a recursive
    // remove under a live writer races with the files it creates ("Directory not empty").
    const moved = `${bundle.root}.removed`;
    await Deno.rename(bundle.root, moved);
    try {
      assert.equal((await runner.wait(20_000)).code, 5);
      await waitGone(idle.state.pid!, "agent gone", 5_000);
    } finally {
      await runner.kill();
      await Deno.remove(moved, { recursive: true });
    }
  });
});
