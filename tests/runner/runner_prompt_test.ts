/**
 * `mass run` end to end: a prompt turn's events and their order, state.json, the system-prompt
 * turn, the demo agent, busy and not-ready refusals.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { AgentRunEvent } from "../../specs/events.ts";
import { errorCode } from "../../specs/errors.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import { pidAlive } from "../support/process.ts";
import { until } from "../support/wait.ts";
import {
  EventCollector,
  readState,
  status,
  text,
  waitForPhase,
  withIdleRunner,
  withRunner,
} from "./harness.ts";

function phaseOf(ev: AgentRunEvent): string | undefined {
  return ev.type === "runtime_update" ? ev.payload.phase?.phase : undefined;
}

Deno.test("a prompt turn streams its events in order and ends idle after turn_end", async () => {
  await withRunner({}, async ({ bundle, runner, peer }) => {
    const idle = await waitForPhase(peer, "idle");
    assert.equal(idle.state.runnerPid, runner.pid);
    assert.ok(idle.state.pid && pidAlive(idle.state.pid), "agent pid recorded and alive");
    assert.equal(idle.state.session?.agentInfo?.name !== undefined, true);
    const watch = await EventCollector.watch(bundle.socket, 0);
    const res = await peer.request<{ stopReason: string; turnId: string }>(
      RunnerMethods.prompt,
      text(
        "say hello\nthought hmm\ntool t1 read Read a file\ntool_update t1 completed\nplan\nsay bye",
      ),
      { timeoutMs: 20_000 },
    );
    assert.equal(res.stopReason, "end_turn");
    await watch.waitFor((e) => phaseOf(e) === "idle" && e.seq > idle.recovery.lastSeq);

    const turn = watch.events.filter((e) => e.seq > idle.recovery.lastSeq);
    const types = turn.map((e) => e.type);
    assert.deepEqual(types.slice(0, 3), ["turn_start", "user_message", "runtime_update"]);
    assert.equal(phaseOf(turn[2]), "running");
    const endAt = types.indexOf("turn_end");
    assert.ok(endAt > 0);
    assert.equal(endAt, turn.length - 2, "only the idle phase event follows turn_end");
    assert.equal(phaseOf(turn.at(-1)!), "idle");
    const last = turn.at(-1)!;
    assert.equal(last.type === "runtime_update" && last.payload.phase?.reason, "prompt-completed");
    for (const e of turn) {
      if (e.type === "runtime_update") assert.equal(e.turnId, undefined);
      else assert.equal(e.turnId, res.turnId, `${e.type} carries the turn id`);
    }
    const messages = turn.filter((e) => e.type === "agent_message");
    assert.deepEqual(
      messages.map((e) => e.type === "agent_message" && e.payload.status),
      ["start", "end", "start", "end"],
    );
    assert.ok(types.includes("agent_thinking") && types.includes("tool_call"));
    assert.ok(types.includes("tool_result") && types.includes("plan"));
    assert.ok(turn.every((e) => e.sessionId === idle.state.sessionId));

    const after = await status(peer);
    assert.equal(after.state.phase, "idle");
    assert.equal(after.recovery.lastSeq, turn.at(-1)!.seq);
    assert.equal(after.state.eventCounts?.turn_end, 1);
    assert.equal("usage" in after.state, false, "usage is not persisted");
    // state.json follows the live state with its own queued write (it is not awaited before
    // the phase event goes out), so wait for it. Live fields are filled when the write runs:
    // behind another queued write it already counts the idle event, otherwise it lags by it.
    const onDisk = await until("state.json idle", async () => {
      const s = await readState(bundle);
      return s.phase === "idle" ? s : undefined;
    }, 5_000);
    const lag = after.recovery.lastSeq - (onDisk.lastSeq ?? -1);
    assert.ok(lag === 0 || lag === 1, JSON.stringify(onDisk));
    watch.close();
    const st = await runner.stop(peer);
    assert.equal(st.code, 0);
    const stopped = await readState(bundle);
    assert.equal(stopped.phase, "stopped");
    assert.equal(stopped.reason, "runtime-stop");
    assert.equal(pidAlive(idle.state.pid!), false, "agent is gone");
  });
});

Deno.test("the system prompt is the first turn, in phase creating; prompts wait for idle", async () => {
  await withRunner({
    session: { systemPrompt: "delay 1500\nsay ready", permissions: "approve_all", mcpServers: [] },
  }, async ({ bundle, runner, peer }) => {
    const s = await status(peer);
    assert.equal(s.state.phase, "creating");
    await assert.rejects(
      peer.request(RunnerMethods.prompt, text("say early")),
      (err) => errorCode(err) === -32001,
    );
    await waitForPhase(peer, "idle");
    const watch = await EventCollector.watch(bundle.socket, 0);
    const bootDone = await watch.waitFor((e) => phaseOf(e) === "idle");
    const events = watch.events.filter((e) => e.seq <= bootDone.seq);
    const start = events.find((e) => e.type === "turn_start");
    assert.ok(start && start.type === "turn_start");
    assert.equal(start.payload.origin, "system");
    const um = events.find((e) => e.type === "user_message");
    assert.ok(um && um.type === "user_message" && um.payload.systemPrompt === true);
    assert.ok(events.some((e) => e.type === "turn_end"));
    assert.ok(
      !events.some((e) => phaseOf(e) === "running"),
      "the system turn does not move the phase",
    );
    assert.ok(
      bootDone.type === "runtime_update" && bootDone.payload.phase?.reason === "bootstrap-complete",
    );
    watch.close();
    assert.equal((await runner.stop(peer)).code, 0);
  });
});

Deno.test("no system prompt configured: no seed turn", async () => {
  await withRunner({}, async ({ runner, peer }) => {
    const idle = await waitForPhase(peer, "idle");
    assert.equal(idle.state.eventCounts?.turn_start ?? 0, 0);
    assert.equal((await runner.stop(peer)).code, 0);
  });
});

Deno.test("a second concurrent prompt is refused with -32001; the first completes", async () => {
  await withRunner({}, async ({ runner, peer }) => {
    await waitForPhase(peer, "idle");
    const first = peer.request<{ stopReason: string }>(
      RunnerMethods.prompt,
      text("delay 800\nsay done"),
      { timeoutMs: 20_000 },
    );
    await waitForPhase(peer, "running");
    await assert.rejects(
      peer.request(RunnerMethods.prompt, text("say second")),
      (err) => errorCode(err) === -32001 && /busy/.test(String((err as Error).message)),
    );
    assert.equal((await first).stopReason, "end_turn");
    await waitForPhase(peer, "idle");
    assert.equal((await runner.stop(peer)).code, 0);
  });
});

Deno.test("cancel ends a hanging turn with stopReason cancelled and an audit event", async () => {
  await withIdleRunner({}, async ({ peer, watch }) => {
    const turn = peer.request<{ stopReason: string }>(RunnerMethods.prompt, text("say a\nhang"), {
      timeoutMs: 20_000,
    });
    await watch.waitFor((e) => e.type === "agent_message");
    assert.equal(await peer.request(RunnerMethods.cancel, null), null);
    assert.equal((await turn).stopReason, "cancelled");
    const end = await watch.waitFor((e) => e.type === "turn_end");
    assert.ok(end.type === "turn_end" && end.payload.stopReason === "cancelled");
    await watch.waitFor((e) =>
      e.type === "runtime_update" && e.payload.operationAudit?.operation === "cancel"
    );

    const delayed = peer.request<{ stopReason: string }>(
      RunnerMethods.prompt,
      text("delay 10000"),
      {
        timeoutMs: 20_000,
      },
    );
    await waitForPhase(peer, "running");
    await peer.request(RunnerMethods.cancel, null);
    assert.equal((await delayed).stopReason, "cancelled");
  });
});

Deno.test("a failing prompt is reported: error event, turn_end error, RPC error, idle", async () => {
  await withIdleRunner({}, async ({ peer, watch }) => {
    await assert.rejects(
      peer.request(RunnerMethods.prompt, text("say x\nerror -32000 need login"), {
        timeoutMs: 20_000,
      }),
      (err) => errorCode(err) === -32000 && /need login/.test((err as Error).message),
    );
    const ev = await watch.waitFor((e) => phaseOf(e) === "idle");
    assert.ok(ev.type === "runtime_update" && ev.payload.phase?.reason === "prompt-failed");
    const types = watch.events.map((e) => e.type);
    assert.ok(types.indexOf("error") < types.indexOf("turn_end"));
    const end = watch.ofType("turn_end")[0];
    assert.ok(end.type === "turn_end" && end.payload.stopReason === "error");
  });
});

Deno.test("demo agent: a turn reads README.md and writes a file after permission", async () => {
  await withIdleRunner(
    { agent: "demo", files: { "README.md": "# hi\n" } },
    async ({ bundle, peer, watch }) => {
      const res = await peer.request<{ stopReason: string }>(
        RunnerMethods.prompt,
        text("write hello.txt"),
        { timeoutMs: 20_000 },
      );
      assert.equal(res.stopReason, "end_turn");
      assert.match(await Deno.readTextFile(join(bundle.workspace, "hello.txt")), /Hello from/);
      await watch.waitFor((e) => phaseOf(e) === "idle");
      const reads = watch.ofType("tool_result").filter((e) =>
        e.type === "tool_result" && e.payload.id.startsWith("read") &&
        e.payload.status === "completed"
      );
      assert.equal(reads.length, 1);
      // set_model goes through the model config option and is audited.
      await peer.request(RunnerMethods.setModel, { modelId: "demo-large" });
      const s = await status(peer);
      assert.equal(s.state.session?.models?.currentModelId, "demo-large");
      await watch.waitFor((e) =>
        e.type === "runtime_update" && e.payload.operationAudit?.operation === "set_model" &&
        e.payload.operationAudit.success
      );
      await peer.request(RunnerMethods.setMode, { modeId: "plan" });
      assert.equal((await status(peer)).state.session?.currentMode, "plan");
    },
  );
});

Deno.test("a cancel sent right behind its prompt still ends the turn", async () => {
  await withRunner({}, async ({ runner, peer }) => {
    await waitForPhase(peer, "idle");
    for (let i = 0; i < 3; i++) {
      // No wait between the two: the cancel may reach the agent before the prompt does.
      const turn = peer.request<{ stopReason: string }>(RunnerMethods.prompt, text("hang"), {
        timeoutMs: 20_000,
      });
      await peer.request(RunnerMethods.cancel, null);
      assert.equal((await turn).stopReason, "cancelled");
      await waitForPhase(peer, "idle");
    }
    assert.equal((await runner.stop(peer)).code, 0);
  });
});
