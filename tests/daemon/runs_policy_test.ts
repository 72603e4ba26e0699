import assert from "node:assert/strict";
import type { RestartPolicy, RunKey } from "../../specs/ari.ts";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import { agentPids, agentRunProcess, pidAlive, waitGone } from "../support/process.ts";
import { sleep } from "../support/wait.ts";
import {
  ariRun,
  createIdle,
  text,
  waitPhase,
  waitRestarted,
  withRunsDaemon,
} from "./runs_helpers.ts";

async function startRun(c: AriClient, name: string, restartPolicy?: RestartPolicy) {
  const key: RunKey = { workspace: "ws", name };
  const spec = { agent: "test", ...(restartPolicy ? { restartPolicy } : {}) };
  return { key, run: await createIdle(c, key, spec) };
}

Deno.test("policy never: an agent crash leaves the run stopped with its exit code", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const { key, run } = await startRun(c, "n");
    await c.agentrunPrompt({ ...key, prompt: text("crash 3") });
    const stopped = await waitPhase(ariRun(c, key), key, ["stopped", "error"]);
    assert.equal(stopped.status.phase, "stopped");
    assert.equal(stopped.status.lastExit?.exitCode, 3);
    assert.equal(stopped.status.exitCode, 3);
    assert.match(stopped.status.errorMessage ?? "", /code 3/);
    assert.equal(stopped.status.restartCount ?? 0, 0);
    assert.equal(stopped.status.pid, undefined);
    assert.ok(!pidAlive(run.status.pid!), "the agent-run exited with its agent");
  });
});

Deno.test("policy on-failure: restarts after a crash, not after a clean exit", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const { key, run } = await startRun(c, "f", "on-failure");
    await c.agentrunPrompt({ ...key, prompt: text("crash 3") });
    const back = await waitRestarted(c, key, run.status.pid, "restarted");
    assert.equal(back.status.restartCount, 1);
    assert.equal(back.status.lastExit?.exitCode, 3);
    assert.equal(back.status.sessionId, run.status.sessionId, "session resumed");
    assert.ok(!pidAlive(run.status.pid!));

    await c.agentrunPrompt({ ...key, prompt: text("crash 0") });
    const stopped = await waitPhase(ariRun(c, key), key, "stopped");
    assert.equal(stopped.status.lastExit?.exitCode, 0);
    assert.equal(stopped.status.restartCount, 1);
  });
});

Deno.test("policy always: restarts after a clean exit; stop is not restarted", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const { key, run } = await startRun(c, "w", "always");
    await c.agentrunPrompt({ ...key, prompt: text("crash 0") });
    const back = await waitRestarted(c, key, run.status.pid, "restarted");
    assert.equal(back.status.restartCount, 1);
    assert.equal(back.status.lastExit?.exitCode, 0);
    await c.agentrunStop(key);
    await sleep(1_500);
    const after = await c.agentrunGet(key);
    assert.equal(after.status.phase, "stopped");
    assert.equal(after.status.restartCount, 1);
  });
});

Deno.test("kill -9 of an agent-run: run stopped with a reason, agent gone", async () => {
  await withRunsDaemon(async ({ client: c }) => {
    const { key, run } = await startRun(c, "k");
    const agent = agentPids(run.status.bundle!);
    assert.ok(agent.length > 0);
    Deno.kill(agentRunProcess(run.status.pid!), "SIGKILL");
    const stopped = await waitPhase(ariRun(c, key), key, ["stopped", "error"]);
    assert.equal(stopped.status.phase, "stopped");
    assert.match(stopped.status.errorMessage ?? "", /SIGKILL/);
    assert.equal(stopped.status.lastExit?.signal, "SIGKILL");
    await waitGone(agent, "agent gone");
  });
});
