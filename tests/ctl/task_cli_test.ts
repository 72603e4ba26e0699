/**
 * `massctl agentrun task …` end to end: the real CLI against a real daemon process with the
 * scriptable test agent. The agent's `task done` is run as the real CLI too.
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { AgentRun } from "../../specs/ari.ts";
import type { AgentTask, TaskWaitStatus } from "../../specs/tasks.ts";
import { until } from "../support/wait.ts";
import { massctl, ok, type RunResult, startDaemonProcess, TEST_AGENT } from "./cli_helpers.ts";

const key = { workspace: "ws", name: "a" };
const RUN = ["-w", "ws", "--run", "a"];

/** The JSON status lines `task wait` wrote on stderr (other lines are `Error: …`). */
function statusLines(r: RunResult): TaskWaitStatus[] {
  return r.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

function waitPhase(client: AriClient, phase: string): Promise<AgentRun> {
  return until(`phase ${phase}`, async () => {
    const run = await client.agentrunGet(key);
    if (run.status.phase === "error") throw new Error(`run failed: ${run.status.errorMessage}`);
    return run.status.phase === phase && run;
  }, 60_000);
}

Deno.test("massctl agentrun task: do, get, wait (timeout, retries, done, stopped), retry, done", async () => {
  const d = await startDaemonProcess();
  const c = d.client;
  const sock = d.socket;
  /** `massctl ar task <args…>` */
  const taskCli = (...args: string[]) => massctl(sock, ["ar", "task", ...args]);
  try {
    await c.workspaceCreate({ metadata: { name: "ws" }, spec: { source: { type: "emptyDir" } } });
    await c.agentCreate({
      metadata: { name: "test" },
      spec: { command: Deno.execPath(), args: ["run", "-A", TEST_AGENT] },
    });
    await until(
      "workspace ready",
      async () => (await c.workspaceGet("ws")).status.phase === "ready",
    );
    await c.agentrunCreate({ metadata: key, spec: { agent: "test" } });
    await waitPhase(c, "idle");
    const file = `${d.root}/runs/ws/a/tasks/task-0001.json`;

    // do: prints the task; --input-files is repeatable and comma-separated.
    const did = ok(
      await taskCli(
        "do",
        ...RUN,
        "--prompt",
        "summarise",
        "--input-files",
        "a.txt,b.txt",
        "--input-files",
        "c.txt",
      ),
    );
    const task: AgentTask = JSON.parse(did.stdout);
    assert.equal(task.id, "task-0001");
    assert.equal(task.attempt, 1);
    assert.deepEqual(task.request.inputFiles, ["a.txt", "b.txt", "c.txt"]);
    assert.equal(task.request.outputDir, `${d.root}/runs/ws/a/tasks/task-0001/output`);
    await waitPhase(c, "idle");

    // get: table, json (list and single), yaml.
    const table = ok(await massctl(sock, ["agentrun", "task", "get", ...RUN])).stdout;
    const [head, row, ...rest] = table.trimEnd().split("\n");
    assert.deepEqual(head.split(/\s+/), ["ID", "ASSIGNEE", "ATTEMPT", "DONE", "REASON", "AGE"]);
    assert.deepEqual(row.split(/\s+/).slice(0, 5), ["task-0001", "a", "1", "false", "pending"]);
    assert.deepEqual(rest, []);
    const list = JSON.parse(
      ok(await taskCli("get", ...RUN, "-o", "json")).stdout,
    );
    assert.equal(list.kind, "List");
    assert.deepEqual(list.items, [task]);
    const one = ok(await taskCli("get", "task-0001", ...RUN, "-o", "yaml"));
    assert.deepEqual(parseYaml(one.stdout), task);
    const wide = ok(await taskCli("get", ...RUN, "-o", "wide")).stdout;
    assert.match(wide.split("\n")[0], /AGE\s+UPDATED\s+PROMPT$/);
    assert.match(wide.split("\n")[1], /summarise$/);

    // wait while the run is busy with something else: exit 3 at the timeout.
    await c.agentrunPrompt({ ...key, prompt: [{ type: "text", text: "hang" }] });
    await waitPhase(c, "running");
    const timedOut = await taskCli(
      "wait",
      "task-0001",
      ...RUN,
      "--timeout",
      "1s",
      "--interval",
      "200ms",
    );
    assert.equal(timedOut.code, 3, timedOut.stderr);
    assert.equal(timedOut.stdout, "");
    const waiting = statusLines(timedOut);
    assert.ok(waiting.length >= 2, timedOut.stderr);
    for (const s of waiting) {
      assert.equal(s.task, "pending");
      assert.equal(s.agent, "running");
      assert.equal(s.attempt, 1);
    }
    assert.match(timedOut.stderr, /^Error: task task-0001 of ws\/a not done within 1s$/m);
    await c.agentrunCancel(key);
    await waitPhase(c, "idle");

    // wait on an idle run that never finishes the task: two retries, then exit 1.
    const gaveUp = await taskCli(
      "wait",
      "task-0001",
      ...RUN,
      "--interval",
      "200ms",
      "--timeout",
      "2m",
    );
    assert.equal(gaveUp.code, 1, gaveUp.stderr);
    const lines = statusLines(gaveUp);
    assert.deepEqual(lines.filter((s) => s.retry).map((s) => [s.retry, s.attempt]), [
      ["1/2", 2],
      ["2/2", 3],
    ]);
    assert.match(lines.at(-1)!.error ?? "", /not done after 2 retries/);
    assert.equal((await c.agentrunTaskGet({ ...key, taskId: "task-0001" })).attempt, 3);
    await waitPhase(c, "idle");

    // retry by hand prints the task.
    const retried = JSON.parse(
      ok(await taskCli("retry", "task-0001", ...RUN)).stdout,
    );
    assert.equal(retried.attempt, 4);
    assert.equal(retried.done, false);
    await waitPhase(c, "idle");

    // The agent's side: task done (no daemon needed: no --socket given).
    const done = ok(
      await massctl("/nonexistent/mass.sock", [
        "ar",
        "task",
        "done",
        "--task-file",
        file,
        "--reason",
        "success",
        "--response",
        '{"summary":"ok"}',
      ]),
    );
    assert.equal(done.stdout, "Task task-0001 marked as done.\n");

    // wait on a done task: exit 0, the task on stdout, one status line.
    const finished = ok(await taskCli("wait", "task-0001", ...RUN));
    const final: AgentTask = JSON.parse(finished.stdout);
    assert.equal(final.done, true);
    assert.equal(final.reason, "success");
    assert.deepEqual(final.response, { summary: "ok" });
    const doneLines = statusLines(finished);
    assert.equal(doneLines.length, 1);
    assert.equal(doneLines[0].task, "done");
    assert.equal(doneLines[0].reason, "success");
    assert.equal(doneLines[0].attempt, 4);
    assert.equal(typeof doneLines[0].elapsed, "string");

    // wait on a run that is stopped: exit 2.
    const second = JSON.parse(
      ok(await taskCli("do", ...RUN, "--prompt", "more")).stdout,
    );
    assert.equal(second.id, "task-0002");
    await waitPhase(c, "idle");
    await c.agentrunStop(key);
    const stopped = await taskCli("wait", "task-0002", ...RUN, "--interval", "200ms");
    assert.equal(stopped.code, 2, stopped.stderr);
    assert.equal(statusLines(stopped).at(-1)?.agent, "stopped");

    // Bad input: one error line, exit 1.
    const hostile = await taskCli("get", "../x", ...RUN);
    assert.equal(hostile.code, 1);
    assert.match(hostile.stderr, /^Error: .*taskId/);
    const notTask = `${d.root}/notes.json`;
    await Deno.writeTextFile(notTask, "{}");
    const badFile = await taskCli(
      "done",
      "--task-file",
      notTask,
      "--reason",
      "x",
      "--response",
      "{}",
    );
    assert.equal(badFile.code, 1);
    assert.match(badFile.stderr, /^Error: .* is not a task file/);
    const badResponse = await taskCli(
      "done",
      "--task-file",
      file,
      "--reason",
      "x",
      "--response",
      "[]",
    );
    assert.equal(badResponse.code, 1);
    assert.match(badResponse.stderr, /^Error: --response must be a JSON object/);
    assert.equal(JSON.parse(await Deno.readTextFile(file)).reason, "success", "file untouched");
  } finally {
    await d.stop();
  }
});
