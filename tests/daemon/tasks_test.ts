/**
 * agentrun/task/* against a real daemon and a real agent-run of the scriptable test agent.
 * The agent's side of a task (`massctl agentrun task done`) is run as the real CLI, in a
 * subprocess, exactly as an agent would run it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { type AgentRunEvent, eventText } from "../../specs/events.ts";
import { type AgentTask, formatTaskFile } from "../../specs/tasks.ts";
import { codeOf } from "../support/rpc.ts";
import { ariRun, collect, isPhase, startRunsDaemon, text, waitPhase } from "./runs_helpers.ts";

const MASSCTL = fileURLToPath(new URL("../../ctl/main.ts", import.meta.url));
const key = { workspace: "ws", name: "t1" };

/** What an agent runs when it has finished a task. */
async function massctlDone(taskFile: string, reason: string, response: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MASSCTL,
      "agentrun",
      "task",
      "done",
      "--task-file",
      taskFile,
      "--reason",
      reason,
      "--response",
      response,
    ],
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Text the agent said in the turn that echoed `marker`, once that turn is over (idle). */
async function turnEcho(c: AriClient, k: RunKey, marker: string): Promise<string> {
  let said = "";
  let seen = false;
  await collect(c.watch({ ...k, fromSeq: 0 }), (ev: AgentRunEvent) => {
    if (ev.type === "agent_message") said += eventText(ev);
    if (said.includes(marker)) seen = true;
    return seen && isPhase("idle")(ev);
  });
  return said;
}

async function readTask(path: string): Promise<AgentTask> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("tasks: do, get, list, done by the agent's massctl, retry, busy, hostile ids", async () => {
  const d = await startRunsDaemon();
  const c = d.client;
  const tasksDir = `${d.root}/runs/ws/t1/tasks`;
  try {
    await c.agentrunCreate({ metadata: key, spec: { agent: "test" } });
    const idle = await waitPhase(ariRun(c, key), key, ["idle", "error"]);
    assert.equal(idle.status.phase, "idle", idle.status.errorMessage);

    // Nothing yet: an empty list, never null.
    assert.deepEqual(await c.agentrunTaskList(key), { items: [] });

    // do: the file is written (attempt 1) and the agent is prompted with its path.
    const task = await c.agentrunTaskDo({
      ...key,
      prompt: "summarise the repo",
      inputFiles: ["README.md"],
    });
    const file = `${tasksDir}/task-0001.json`;
    assert.equal(task.id, "task-0001");
    assert.equal(task.assignee, "t1");
    assert.equal(task.attempt, 1);
    assert.equal(task.done, false);
    assert.equal(task.request.prompt, "summarise the repo");
    assert.deepEqual(task.request.inputFiles, ["README.md"]);
    assert.equal(task.request.outputDir, `${tasksDir}/task-0001/output`);
    assert.ok((await Deno.stat(task.request.outputDir!)).isDirectory, "outputDir created");
    assert.deepEqual(await readTask(file), task);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o644);
    const said = await turnEcho(c, key, `Task attempt 1 at: ${file}`);
    assert.match(said, new RegExp(`massctl agentrun task done --task-file ${file} --reason`));
    // The run went running for that turn (the reservation) and is idle again after it.
    const events = await collect(c.watch({ ...key, fromSeq: 0 }), isPhase("running"), 10_000);
    assert.ok(events.some(isPhase("running")));
    await waitPhase(ariRun(c, key), key, "idle");

    // get / list are plain reads.
    assert.deepEqual(await c.agentrunTaskGet({ ...key, taskId: task.id }), task);
    assert.deepEqual((await c.agentrunTaskList(key)).items, [task]);

    // The agent records the outcome with the real CLI.
    const done = await massctlDone(file, "success", '{"summary":"done it","files":["a.md"]}');
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stdout, "Task task-0001 marked as done.\n");
    const got = await c.agentrunTaskGet({ ...key, taskId: task.id });
    assert.equal(got.done, true);
    assert.equal(got.reason, "success");
    assert.deepEqual(got.response, { summary: "done it", files: ["a.md"] });
    assert.ok(got.updatedAt && !Number.isNaN(Date.parse(got.updatedAt)));
    assert.equal(got.attempt, 1);
    assert.deepEqual(got.request, task.request, "the request is kept");
    const leftovers = [...Deno.readDirSync(tasksDir)].filter((e) => e.name.endsWith(".tmp"));
    assert.deepEqual(leftovers, [], "no temp files left");

    // A response that is not an object is refused and the file is untouched.
    for (const bad of ["[1,2]", "42", "null", "{oops"]) {
      const r = await massctlDone(file, "failed", bad);
      assert.equal(r.code, 1, bad);
      assert.match(r.stderr, /^Error: --response/);
    }
    assert.equal((await readTask(file)).reason, "success");

    // retry: next attempt, outcome cleared, the agent is prompted again.
    const retried = await c.agentrunTaskRetry({ ...key, taskId: task.id });
    assert.equal(retried.attempt, 2);
    assert.equal(retried.done, false);
    assert.equal(retried.reason, undefined);
    assert.equal(retried.updatedAt, undefined);
    assert.equal(retried.response, undefined);
    assert.deepEqual(await readTask(file), retried);
    await turnEcho(c, key, `Task attempt 2 at: ${file}`);
    await waitPhase(ariRun(c, key), key, "idle");

    // Busy run: do and retry are refused with -32001 and leave the files as they were.
    await c.agentrunPrompt({ ...key, prompt: text("hang") });
    await waitPhase(ariRun(c, key), key, "running");
    const before = await Deno.readTextFile(file);
    assert.equal(await codeOf(c.agentrunTaskDo({ ...key, prompt: "more" })), -32001);
    assert.equal(await codeOf(c.agentrunTaskRetry({ ...key, taskId: task.id })), -32001);
    assert.equal(await Deno.readTextFile(file), before);
    assert.deepEqual((await c.agentrunTaskList(key)).items.map((t) => t.id), ["task-0001"]);
    await assert.rejects(Deno.stat(`${tasksDir}/task-0002`), Deno.errors.NotFound);
    await c.agentrunCancel(key);
    await waitPhase(ariRun(c, key), key, "idle");

    // Hostile or malformed ids never reach a path.
    for (const taskId of ["../x", "task-1/..", "task-0001/../../x", "", "task-01", "TASK-0001"]) {
      assert.equal(await codeOf(c.agentrunTaskGet({ ...key, taskId })), -32602, taskId);
      assert.equal(await codeOf(c.agentrunTaskRetry({ ...key, taskId })), -32602, taskId);
    }
    assert.equal(
      await codeOf(c.request("agentrun/task/get", { ...key, taskId: 5 })),
      -32602,
      "non-string id",
    );
    assert.equal(
      await codeOf(c.agentrunTaskList({ workspace: "ws", name: "../t1" })),
      -32602,
      "hostile run name",
    );
    // Unknown task / run / missing params.
    assert.equal(await codeOf(c.agentrunTaskGet({ ...key, taskId: "task-0042" })), -32602);
    assert.equal(await codeOf(c.agentrunTaskRetry({ ...key, taskId: "task-0042" })), -32602);
    assert.equal(await codeOf(c.agentrunTaskList({ workspace: "ws", name: "nope" })), -32602);
    assert.equal(await codeOf(c.request("agentrun/task/do", null)), -32602);
    assert.equal(await codeOf(c.agentrunTaskDo({ ...key, prompt: "" })), -32602);

    // outputDir: relative to the workspace and created; outside workspace and bundle refused.
    const withDir = await c.agentrunTaskDo({ ...key, prompt: "write it", outputDir: "out/sub" });
    const realWs = await Deno.realPath(d.wsPath);
    assert.equal(withDir.id, "task-0002");
    assert.equal(withDir.request.outputDir, `${realWs}/out/sub`);
    assert.ok((await Deno.stat(`${realWs}/out/sub`)).isDirectory);
    await turnEcho(c, key, `Task attempt 1 at: ${tasksDir}/task-0002.json`);
    await waitPhase(ariRun(c, key), key, "idle");
    for (const outputDir of ["/etc/mass-x", "../../escape", `${d.root}/runs/ws/other`]) {
      assert.equal(await codeOf(c.agentrunTaskDo({ ...key, prompt: "x", outputDir })), -32602);
    }
    assert.equal((await c.agentrunTaskList(key)).items.length, 2, "refused tasks left no file");

    // Ids grow past 9999 and never overwrite; unreadable files are skipped by list.
    const seeded = { ...task, id: "task-9999", request: { prompt: "seeded" } };
    await Deno.writeTextFile(`${tasksDir}/task-9999.json`, formatTaskFile(seeded));
    await Deno.writeTextFile(`${tasksDir}/task-0005.json`, "{ not json");
    const big = await c.agentrunTaskDo({ ...key, prompt: "after 9999" });
    assert.equal(big.id, "task-10000");
    assert.equal((await readTask(`${tasksDir}/task-9999.json`)).request.prompt, "seeded");
    assert.equal((await readTask(`${tasksDir}/task-10000.json`)).request.prompt, "after 9999");
    await turnEcho(c, key, `Task attempt 1 at: ${tasksDir}/task-10000.json`);
    await waitPhase(ariRun(c, key), key, "idle");
    const ids = (await c.agentrunTaskList(key)).items.map((t) => t.id);
    assert.deepEqual(ids, ["task-0001", "task-0002", "task-9999", "task-10000"]);
    assert.equal(
      (await c.agentrunTaskGet({ ...key, taskId: "task-10000" })).request.prompt,
      "after 9999",
    );
    assert.equal(await codeOf(c.agentrunTaskGet({ ...key, taskId: "task-0005" })), -32603);
    await c.agentrunStop(key);
  } finally {
    await c.agentrunStop(key).catch(() => {});
    await d.close();
  }
});
