/**
 * Restart policies across an agentd restart: agentd is down while the agent-runs die (a
 * reboot, a kill -9), then starts again on the same root and applies each run's policy.
 */
import assert from "node:assert/strict";
import type { AgentRun, RestartPolicy, RunKey } from "../../specs/ari.ts";
import { Store } from "../../daemon/store/store.ts";
import { AGENT_RUN_LOST, NOT_RECOVERED } from "../../daemon/runs/recovery.ts";
import {
  agentPids,
  agentRunProcess,
  killGroup,
  pidAlive,
  processesWith,
  waitGone,
} from "../support/process.ts";
import {
  ariRun,
  createIdle,
  logEvents,
  type RunsDaemon,
  startRunsDaemon,
  text,
  turnEvents,
  waitPhase,
  waitRestarted,
} from "./runs_helpers.ts";

interface Case {
  key: RunKey;
  policy: RestartPolicy;
  run: AgentRun;
  /** The agent's pids, seen from the host. */
  agentPid: number[];
}

async function startCase(d: RunsDaemon, name: string, policy: RestartPolicy): Promise<Case> {
  const key = { workspace: "ws", name };
  const run = await createIdle(d.client, key, { agent: "test", restartPolicy: policy });
  // A turn, so the log holds more than the bootstrap when the agent-run dies.
  const acc = await d.client.agentrunPrompt({ ...key, prompt: text("say before") });
  await turnEvents(d.client, key, acc.fromSeq);
  const idle = await waitPhase(ariRun(d.client, key), key, "idle");
  const agentPid = agentPids(run.status.bundle!);
  assert.ok(agentPid.length > 0, "the agent runs");
  return { key, policy, run: idle, agentPid };
}

/** Seqs of the run's event log: 0, 1, 2, … with no gap and no duplicate. */
async function assertContinuousLog(bundle: string, what: string): Promise<number[]> {
  const seqs = (await logEvents(bundle)).map((ev) => ev.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i), `${what}: one continuous sequence`);
  return seqs;
}

Deno.test("recovery applies restart policies to runs whose agent-runs died while agentd was down", async () => {
  let d = await startRunsDaemon();
  const root = d.root;
  const pids: number[] = [];
  try {
    const always = await startCase(d, "aw", "always");
    const onFailure = await startCase(d, "of", "on-failure");
    const never = await startCase(d, "nv", "never");
    const stoppedOnPurpose = await startCase(d, "st", "always");
    const midStop = await startCase(d, "ms", "always");
    const midStopAlive = await startCase(d, "ma", "always");
    const all = [always, onFailure, never, stoppedOnPurpose, midStop, midStopAlive];
    for (const c of all) pids.push(c.run.status.pid!, ...c.agentPid);

    await d.client.agentrunStop(stoppedOnPurpose.key);
    assert.equal((await d.client.agentrunGet(stoppedOnPurpose.key)).status.phase, "stopped");

    d.client.close();
    await d.daemon.close();
    // agentd is gone. An agentrun/stop was under way for "ms" and "ma" when it went (the
    // stop intent agentrun/stop records first); then agent-runs die under it.
    const store = await Store.open(`${root}/mass.kv`);
    try {
      await store.setStopIntent(midStop.key, midStop.run.status.pid!);
      await store.setStopIntent(midStopAlive.key, midStopAlive.run.status.pid!);
    } finally {
      store.close();
    }
    const killed = [always, onFailure, never, midStop];
    // As a crash would: the agent-run process itself (in the sandbox, bwrap ends with it).
    for (const c of killed) Deno.kill(agentRunProcess(c.run.status.pid!), "SIGKILL");
    await waitGone(killed.map((c) => c.run.status.pid!), "agent-runs killed");
    assert.ok(pidAlive(midStopAlive.run.status.pid!), "this one outlives agentd");

    d = await startRunsDaemon(root);
    const c = d.client;

    // always and on-failure: restarted on the same bundle, session resumed, counted once.
    for (const k of [always, onFailure]) {
      const back = await waitRestarted(c, k.key, k.run.status.pid, `${k.key.name} restarted`);
      pids.push(back.status.pid!);
      assert.equal(back.status.restartCount, 1, k.key.name);
      assert.equal(back.status.lastExit?.reason, AGENT_RUN_LOST, k.key.name);
      assert.equal(back.status.lastExit?.exitCode, null);
      assert.equal(back.status.bundle, k.run.status.bundle);
      assert.equal(back.status.sessionId, k.run.status.sessionId, "session resumed");
      const seqs = await assertContinuousLog(back.status.bundle!, k.key.name);
      assert.ok(seqs.length > k.run.status.lastSeq! + 1, "the new agent-run logged on");
      await waitGone(k.agentPid, `${k.key.name}: the old agent is gone`);

      // It works, and the seq goes on from the log.
      const acc = await c.agentrunPrompt({ ...k.key, prompt: text("say after") });
      assert.ok(acc.fromSeq! >= seqs.length, "the seq goes on");
      const turn = await turnEvents(c, k.key, acc.fromSeq);
      assert.ok(turn.some((e) => e.type === "agent_message"));
      await waitPhase(ariRun(c, k.key), k.key, "idle");
      await assertContinuousLog(back.status.bundle!, `${k.key.name} after a turn`);
    }

    // never: stopped with the reason, not counted.
    const nv = await c.agentrunGet(never.key);
    assert.equal(nv.status.phase, "stopped");
    assert.match(nv.status.errorMessage ?? "", new RegExp(`^${NOT_RECOVERED}: `));
    assert.equal(nv.status.lastExit?.reason, AGENT_RUN_LOST);
    assert.equal(nv.status.restartCount ?? 0, 0);
    assert.equal(nv.status.pid, undefined);
    await waitGone(never.agentPid, "never: the agent is gone");

    // The stop under way when agentd died is honoured, whether its agent-run died or not.
    const ms = await c.agentrunGet(midStop.key);
    assert.equal(ms.status.phase, "stopped");
    assert.equal(ms.status.errorMessage, undefined);
    assert.equal(ms.status.restartCount ?? 0, 0);
    const ma = await waitPhase(ariRun(c, midStopAlive.key), midStopAlive.key, "stopped");
    assert.equal(ma.status.restartCount ?? 0, 0);
    await waitGone([midStopAlive.run.status.pid!, ...midStopAlive.agentPid], "ma: stopped");

    // Stopped on purpose: left alone, no agent-run started for it.
    const st = await c.agentrunGet(stoppedOnPurpose.key);
    assert.equal(st.status.phase, "stopped");
    assert.equal(st.status.restartCount ?? 0, 0);
    assert.equal(st.status.pid, undefined);
    for (const k of [stoppedOnPurpose, midStop, midStopAlive, never]) {
      assert.deepEqual(processesWith(k.run.status.bundle!), [], `${k.key.name}: no process`);
    }

    for (const k of [always, onFailure]) await c.agentrunStop(k.key);
    for (const pid of pids) assert.ok(!pidAlive(pid), `pid ${pid} left`);
  } finally {
    await d.close();
    for (const pid of pids) killGroup(pid);
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
