/**
 * The `task wait` loop with a fake client and clock: retries only on an idle run, transient
 * failures reconnect and keep polling, permanent ones end the wait.
 */
import assert from "node:assert/strict";
import type { AgentRun } from "../../specs/ari.ts";
import { ConflictError, InternalError, NotFoundError } from "../../specs/errors.ts";
import type { Phase } from "../../specs/events.ts";
import type { AgentTask, TaskWaitStatus } from "../../specs/tasks.ts";
import { formatElapsed, type TaskWaitClient, waitTask } from "../../ctl/cli/task_wait.ts";

const key = { workspace: "ws", name: "a", taskId: "task-0001" };

function run(phase: Phase): AgentRun {
  return {
    kind: "AgentRun",
    metadata: { workspace: "ws", name: "a" },
    spec: { agent: "x" },
    status: { phase },
  };
}

function task(extra: Partial<AgentTask> = {}): AgentTask {
  return {
    id: "task-0001",
    assignee: "a",
    attempt: 1,
    createdAt: "2026-01-01T00:00:00Z",
    request: { prompt: "p" },
    done: false,
    ...extra,
  };
}

/** Scripted polls: each entry is what one poll sees (or throws). */
function scripted(polls: (() => { phase: Phase; task: AgentTask })[], retry: () => AgentTask) {
  let i = 0;
  let current: { phase: Phase; task: AgentTask } | undefined;
  const client: TaskWaitClient = {
    agentrunGet: () => {
      current = polls[Math.min(i++, polls.length - 1)]();
      return Promise.resolve(run(current.phase));
    },
    agentrunTaskGet: () => Promise.resolve(current!.task),
    agentrunTaskRetry: () => Promise.resolve(retry()),
  };
  return client;
}

function harness(client: TaskWaitClient | (() => Promise<TaskWaitClient>), timeoutMs = 60_000) {
  let clock = 0;
  const statuses: TaskWaitStatus[] = [];
  let disconnects = 0;
  return {
    statuses,
    get disconnects() {
      return disconnects;
    },
    opts: {
      timeoutMs,
      intervalMs: 1_000,
      connect: typeof client === "function" ? client : () => Promise.resolve(client),
      disconnect: () => {
        disconnects++;
        return Promise.resolve();
      },
      onStatus: (s: TaskWaitStatus) => void statuses.push(s),
      now: () => clock,
      sleep: (ms: number) => {
        clock += ms;
        return Promise.resolve();
      },
    },
  };
}

Deno.test("task wait: done at once → 0; stopped → 2; timeout → 3", async () => {
  const doneTask = task({ done: true, reason: "success" });
  let h = harness(scripted([() => ({ phase: "idle", task: doneTask })], task));
  let r = await waitTask(key, h.opts);
  assert.equal(r.code, 0);
  assert.deepEqual(r.task, doneTask);
  assert.deepEqual(h.statuses, [
    { elapsed: "0s", agent: "idle", task: "done", attempt: 1, reason: "success" },
  ]);

  h = harness(
    scripted([
      () => ({ phase: "running", task: task() }),
      () => ({ phase: "stopped", task: task() }),
    ], task),
  );
  r = await waitTask(key, h.opts);
  assert.equal(r.code, 2);
  assert.equal(h.statuses.at(-1)?.agent, "stopped");

  h = harness(scripted([() => ({ phase: "running", task: task() })], task), 3_500);
  r = await waitTask(key, h.opts);
  assert.equal(r.code, 3);
  assert.deepEqual(h.statuses.map((s) => s.elapsed), ["0s", "1s", "2s", "3s", "3s"]);
});

Deno.test("task wait: idle and not done → up to 2 retries, then 1; a refused retry is not counted", async () => {
  let attempt = 1;
  let refusals = 1;
  const client = scripted([() => ({ phase: "idle", task: task({ attempt }) })], () => {
    if (refusals-- > 0) throw new ConflictError("agent ws/a is not idle (phase=running)");
    return task({ attempt: ++attempt });
  });
  const h = harness(client);
  const r = await waitTask(key, h.opts);
  assert.equal(r.code, 1);
  assert.match(r.message!, /not done after 2 retries/);
  assert.deepEqual(h.statuses.map((s) => s.retry ?? s.error?.slice(0, 20)), [
    "agent ws/a is not id",
    "1/2",
    "2/2",
    "task task-0001 of ws",
  ]);
  assert.equal(attempt, 3);
});

Deno.test("task wait: connection failures reconnect; not found ends with 1", async () => {
  let calls = 0;
  const good = scripted([() => ({ phase: "idle", task: task({ done: true }) })], task);
  const h = harness(() => {
    calls++;
    if (calls <= 2) return Promise.reject(new InternalError("connection closed"));
    return Promise.resolve(good);
  });
  const r = await waitTask(key, h.opts);
  assert.equal(r.code, 0);
  assert.equal(h.disconnects, 2);
  assert.equal(h.statuses[0].error, "connection closed");

  const missing: TaskWaitClient = {
    agentrunGet: () => Promise.resolve(run("idle")),
    agentrunTaskGet: () => Promise.reject(new NotFoundError("task task-0001 not found")),
    agentrunTaskRetry: () => Promise.reject(new Error("not reached")),
  };
  const r2 = await waitTask(key, harness(missing).opts);
  assert.equal(r2.code, 1);
  assert.equal(r2.message, "task task-0001 not found");
});

Deno.test("task wait: elapsed is whole seconds", () => {
  assert.equal(formatElapsed(0), "0s");
  assert.equal(formatElapsed(999), "0s");
  assert.equal(formatElapsed(45_400), "45s");
  assert.equal(formatElapsed(90_000), "1m30s");
});
