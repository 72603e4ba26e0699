/**
 * A second agent-run on the same bundle: seq continues (one sequence per AgentRun), the ACP
 * session is resumed (session/resume, else session/load, else a new one), and each session
 * boundary is a session_start event.
 */
import assert from "node:assert/strict";
import type { AgentRunEvent } from "../../specs/events.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import {
  EventCollector,
  makeBundle,
  Runner,
  seqProblems,
  type TestBundle,
  text,
  waitForPhase,
} from "./harness.ts";

async function runOnce(bundle: TestBundle, prompt: string): Promise<{ sessionId: string }> {
  const runner = new Runner(bundle);
  try {
    const peer = await runner.dial();
    const idle = await waitForPhase(peer, "idle");
    await peer.request(RunnerMethods.prompt, text(prompt), { timeoutMs: 20_000 });
    assert.equal((await runner.stop(peer)).code, 0);
    peer.close();
    return { sessionId: idle.state.sessionId! };
  } finally {
    await runner.kill();
    await runner.stderr;
  }
}

function sessionStarts(events: AgentRunEvent[]) {
  return events.flatMap((e) => e.type === "session_start" ? [e.payload] : []);
}

async function allEvents(bundle: TestBundle): Promise<AgentRunEvent[]> {
  const runner = new Runner(bundle);
  try {
    const peer = await runner.dial();
    const idle = await waitForPhase(peer, "idle");
    const watch = await EventCollector.watch(bundle.socket, 0);
    await watch.waitFor((e) => e.seq === idle.recovery.lastSeq);
    watch.close();
    assert.equal((await runner.stop(peer)).code, 0);
    peer.close();
    return watch.events;
  } finally {
    await runner.kill();
    await runner.stderr;
  }
}

for (
  const [flags, mode] of [
    [[], "resume"],
    [["--no-resume"], "load"],
    [["--no-resume", "--no-load"], "new"],
  ] as const
) {
  Deno.test(`restart continues seq and resumes the session (${mode})`, async () => {
    const bundle = await makeBundle({ agentArgs: [...flags] });
    try {
      const first = await runOnce(bundle, "say one");
      await bundle.writeConfig({
        ...bundle.config,
        session: { resumeSessionId: first.sessionId, permissions: "approve_all", mcpServers: [] },
      });
      await runOnce(bundle, "say two");
      const events = await allEvents(bundle);
      assert.equal(seqProblems(events, 0), undefined, "one continuous sequence from 0");
      const starts = sessionStarts(events);
      assert.equal(starts.length, 3);
      // A bundle without config.json `sandbox` runs unconfined, and says so.
      assert.deepEqual(starts[0], {
        sessionId: first.sessionId,
        mode: "new",
        sandbox: { mode: "none", network: "host" },
      });
      assert.equal(starts[1].mode, mode);
      assert.equal(starts[1].previousSessionId, first.sessionId);
      if (mode === "new") assert.notEqual(starts[1].sessionId, first.sessionId);
      else assert.equal(starts[1].sessionId, first.sessionId);
      const said = events.filter((e) => e.type === "agent_message" && e.payload.status === "start")
        .map((e) => e.type === "agent_message" && e.payload.content.text);
      assert.deepEqual(said, ["one", "two"]);
      // The two finished runs' ends are in the log, each before the next run's start.
      const stops = events.filter((e) =>
        e.type === "runtime_update" && e.payload.phase?.phase === "stopped"
      );
      assert.equal(stops.length, 2);
      const startSeqs = events.filter((e) => e.type === "session_start").map((e) => e.seq);
      assert.ok(stops[0].seq < startSeqs[1] && stops[1].seq < startSeqs[2]);
    } finally {
      await bundle.cleanup();
    }
  });
}
