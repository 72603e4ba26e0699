/**
 * Agent tasks, piece by piece: the task store (ids, atomic writes, tolerant list), output
 * directory confinement, and the task service's rollbacks and feature gate (with a fake run
 * supervisor, so every failure path is reachable).
 */
import assert from "node:assert/strict";
import type { AgentRun, RunKey, Workspace } from "../../specs/ari.ts";
import { ConflictError, errorCode } from "../../specs/errors.ts";
import type { ContentBlock } from "../../specs/events.ts";
import {
  type AgentTask,
  completeTask,
  formatTaskFile,
  retryTask,
  TaskKeyParamsSchema,
} from "../../specs/tasks.ts";
import { isMutating } from "../../specs/ari_methods.ts";
import type { Logger, LogProps } from "../../daemon/logging.ts";
import { confineOutputDir, makeDirs, removeCreated } from "../../daemon/tasks/output_dir.ts";
import { type TaskRuns, TaskService } from "../../daemon/tasks/task_service.ts";
import { TaskStore } from "../../daemon/tasks/task_store.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "mt" });
}

function codeOf(p: Promise<unknown>): Promise<number | undefined> {
  return p.then(() => undefined, (err) => errorCode(err));
}

function captureLogger(lines: { message: string; props?: LogProps }[]): Logger {
  const log = (message: string, props?: LogProps) => void lines.push({ message, props });
  const logger: Logger = {
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
    child: () => logger,
  };
  return logger;
}

function sample(id: string, extra: Partial<AgentTask> = {}): AgentTask {
  return {
    id,
    assignee: "a",
    attempt: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    request: { prompt: `do ${id}` },
    done: false,
    ...extra,
  };
}

Deno.test("task store: ids count up, pass 9999 without wrapping, never overwrite", async () => {
  const dir = await tempDir();
  try {
    const store = new TaskStore(`${dir}/tasks`);
    assert.deepEqual(await store.list(), [], "no directory yet");
    assert.equal((await store.create(sample)).id, "task-0001");
    assert.equal((await store.create(sample)).id, "task-0002");
    await Deno.writeTextFile(store.pathOf("task-9999"), formatTaskFile(sample("task-9999")));
    const next = await store.create((id) => sample(id, { request: { prompt: "new" } }));
    assert.equal(next.id, "task-10000");
    assert.equal((await store.get("task-9999")).request.prompt, "do task-9999");
    assert.equal((await store.get("task-10000")).request.prompt, "new");
    assert.deepEqual(
      (await store.list()).map((t) => t.id),
      ["task-0001", "task-0002", "task-9999", "task-10000"],
    );

    // Concurrent creates all get their own id; nothing is overwritten.
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.create((id) => sample(id, { attempt: i + 1 }))),
    );
    const ids = made.map((t) => t.id);
    assert.equal(new Set(ids).size, 20);
    for (const t of made) assert.equal((await store.get(t.id)).attempt, t.attempt);
    const names = [...Deno.readDirSync(`${dir}/tasks`)].map((e) => e.name);
    assert.equal(names.filter((n) => n.endsWith(".tmp")).length, 0, "no temp files left");
    assert.equal(names.length, 24);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("task store: hostile ids are refused before they become paths", async () => {
  const dir = await tempDir();
  try {
    const store = new TaskStore(`${dir}/tasks`);
    for (const id of ["../x", "task-1/..", "task-0001/../../x", "", "task-12", "/etc/passwd"]) {
      assert.throws(() => store.pathOf(id), (e) => errorCode(e) === -32602, id);
      assert.equal(await codeOf(store.get(id)), -32602, id);
    }
    assert.equal(
      TaskKeyParamsSchema.safeParse({ workspace: "w", name: "n", taskId: "../x" })
        .success,
      false,
    );
    assert.equal(await codeOf(store.get("task-0001")), -32602, "absent task");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("task store: list skips unreadable files and logs each one", async () => {
  const dir = await tempDir();
  try {
    const lines: { message: string; props?: LogProps }[] = [];
    const store = new TaskStore(`${dir}/tasks`, { logger: captureLogger(lines) });
    await store.create(sample);
    await Deno.writeTextFile(`${dir}/tasks/task-0002.json`, "{ not json");
    await Deno.writeTextFile(`${dir}/tasks/task-0003.json`, JSON.stringify({ id: "task-0003" }));
    await Deno.writeTextFile(`${dir}/tasks/task-0004.json`, formatTaskFile(sample("task-0009")));
    await Deno.writeTextFile(`${dir}/tasks/notes.txt`, "ignored");
    await Deno.mkdir(`${dir}/tasks/task-0001`);
    assert.deepEqual((await store.list()).map((t) => t.id), ["task-0001"]);
    const skipped = lines.filter((l) => l.message === "task file skipped").map((l) =>
      String(l.props?.file).split("/").pop()
    );
    assert.deepEqual(skipped.sort(), ["task-0002.json", "task-0003.json", "task-0004.json"]);
    assert.equal(await codeOf(store.get("task-0002")), -32603, "unreadable on get");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("task store: replace is atomic; restoreIf only undoes our own write", async () => {
  const dir = await tempDir();
  try {
    const store = new TaskStore(`${dir}/tasks`);
    const t = await store.create(sample);
    const before = await store.read(t.id);
    const written = await store.replace(retryTask(t));
    assert.equal((await store.get(t.id)).attempt, 2);
    assert.equal(await store.restoreIf(t.id, written, before.text), true);
    assert.equal((await store.get(t.id)).attempt, 1);

    const again = await store.replace(retryTask(t));
    // The agent completed it in between: the completion stays.
    const done = completeTask(retryTask(t), { reason: "success", response: {}, now: new Date() });
    await Deno.writeTextFile(store.pathOf(t.id), formatTaskFile(done));
    assert.equal(await store.restoreIf(t.id, again, before.text), false);
    assert.equal((await store.get(t.id)).done, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("task contract: retry clears the outcome; completion sets it", () => {
  const now = new Date("2026-02-03T04:05:06.000Z");
  const done = completeTask(sample("task-0001"), { reason: "failed", response: { x: 1 }, now });
  assert.equal(done.done, true);
  assert.equal(done.reason, "failed");
  assert.equal(done.updatedAt, now.toISOString());
  assert.deepEqual(done.response, { x: 1 });
  const retried = retryTask(done);
  assert.deepEqual(retried, { ...sample("task-0001"), attempt: 2 });
  assert.equal(retryTask({ ...sample("task-0001"), attempt: 0 }).attempt, 2, "max(1, n) + 1");
  assert.ok(isMutating("agentrun/task/do"));
  assert.ok(isMutating("agentrun/task/retry"));
  assert.ok(!isMutating("agentrun/task/get"));
});

Deno.test("output dir: relative to the workspace, confined to workspace and bundle", async () => {
  const dir = await Deno.realPath(await tempDir());
  try {
    const ws = `${dir}/ws`;
    const bundle = `${dir}/runs/ws/a`;
    await Deno.mkdir(ws, { recursive: true });
    await Deno.mkdir(bundle, { recursive: true });
    await Deno.mkdir(`${dir}/outside`);
    await Deno.symlink(`${dir}/outside`, `${ws}/link`);
    const roots = { workspace: ws, bundle };
    assert.equal(await confineOutputDir("out/a", roots), `${ws}/out/a`);
    assert.equal(await confineOutputDir(".", roots), ws);
    assert.equal(await confineOutputDir("..foo/out", roots), `${ws}/..foo/out`, "a ..foo folder");
    assert.equal(await confineOutputDir(`${bundle}/tasks/x`, roots), `${bundle}/tasks/x`);
    for (const bad of ["../outside", "link/sub", `${dir}/outside`, "/", `${dir}/runs/ws/b`]) {
      assert.equal(await codeOf(confineOutputDir(bad, roots)), -32602, bad);
    }
    assert.equal(await codeOf(confineOutputDir("rel", { bundle })), -32602, "no workspace path");

    const top = await makeDirs(`${ws}/out/a/b`);
    assert.equal(top, `${ws}/out`);
    assert.equal(await makeDirs(`${ws}/out/a/b`), undefined, "already there");
    await Deno.writeTextFile(`${ws}/out/keep.txt`, "x");
    await removeCreated(`${ws}/out/a/b`, top);
    await assert.rejects(Deno.stat(`${ws}/out/a`), Deno.errors.NotFound);
    assert.ok((await Deno.stat(`${ws}/out/keep.txt`)).isFile, "a non-empty dir stays");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A run supervisor whose prompt does what the test says. */
function fakeRuns(
  bundle: string,
  onPrompt: (key: RunKey, blocks: ContentBlock[]) => Promise<void>,
  phase: AgentRun["status"]["phase"] = "idle",
): TaskRuns {
  return {
    get: (key) =>
      Promise.resolve({
        kind: "AgentRun",
        metadata: { ...key },
        spec: { agent: "x" },
        status: { phase },
      }),
    prompt: async (key, blocks) => {
      await onPrompt(key, blocks);
      return { accepted: true };
    },
    bundlePathsOf: () => ({ dir: bundle }),
  };
}

function workspaces(path: string, features?: Record<string, boolean>) {
  const ws: Workspace = {
    kind: "Workspace",
    metadata: { name: "ws" },
    spec: { source: { type: "emptyDir" }, ...(features ? { features } : {}) },
    status: { phase: "ready", path },
  };
  return { getWorkspace: (name: string) => Promise.resolve(name === "ws" ? ws : undefined) };
}

Deno.test("task service: prompt text, rollback on refusal, retry restore, feature gate", async () => {
  const dir = await Deno.realPath(await tempDir());
  try {
    const bundle = `${dir}/runs/ws/a`;
    const wsPath = `${dir}/ws`;
    await Deno.mkdir(bundle, { recursive: true });
    await Deno.mkdir(wsPath);
    const key = { workspace: "ws", name: "a" };
    const prompts: string[] = [];
    let refuse = false;
    let sneakDone = false;
    const service = new TaskService({
      runs: fakeRuns(bundle, async (_k, blocks) => {
        prompts.push(String(blocks[0].text));
        if (sneakDone) {
          // The agent finishes the task just as the retry is refused.
          const path = `${bundle}/tasks/task-0001.json`;
          const t = JSON.parse(await Deno.readTextFile(path));
          const done = completeTask(t, { reason: "success", response: {}, now: new Date() });
          await Deno.writeTextFile(path, formatTaskFile(done));
        }
        if (refuse) throw new ConflictError("agent ws/a is not idle (phase=running)");
      }),
      store: workspaces(wsPath),
      now: () => new Date("2026-01-01T00:00:00.000Z"),
    });

    const t = await service.do({ ...key, prompt: "p" });
    const file = `${bundle}/tasks/task-0001.json`;
    assert.equal(t.createdAt, "2026-01-01T00:00:00.000Z");
    assert.match(prompts[0], new RegExp(`^Task attempt 1 at: ${file}\n`));
    assert.ok(prompts[0].includes(`massctl agentrun task done --task-file ${file} --reason`));

    // Refused prompt: no task file and no output dir are left behind.
    refuse = true;
    assert.equal(await codeOf(service.do({ ...key, prompt: "q", outputDir: "o/p" })), -32001);
    await assert.rejects(Deno.stat(`${bundle}/tasks/task-0002.json`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${wsPath}/o`), Deno.errors.NotFound);
    assert.equal(await codeOf(service.do({ ...key, prompt: "q" })), -32001);
    await assert.rejects(Deno.stat(`${bundle}/tasks/task-0002`), Deno.errors.NotFound);

    // Refused retry: the file is put back as it was.
    const before = await Deno.readTextFile(file);
    assert.equal(await codeOf(service.retry({ ...key, taskId: t.id })), -32001);
    assert.equal(await Deno.readTextFile(file), before);
    assert.match(prompts.at(-1)!, /^Task attempt 2 at: /);
    // …unless the agent completed it meanwhile.
    sneakDone = true;
    assert.equal(await codeOf(service.retry({ ...key, taskId: t.id })), -32001);
    assert.equal((await service.get({ ...key, taskId: t.id })).done, true);
    sneakDone = false;
    refuse = false;

    const r = await service.retry({ ...key, taskId: t.id });
    assert.equal(r.attempt, 3, "attempt 2 was completed by the agent");
    assert.equal(r.done, false);
    assert.equal(r.reason, undefined);
    assert.match(prompts.at(-1)!, /not marked as done/);

    // Feature gate: agentTask=false refuses do and retry, but reads still work.
    const gated = new TaskService({
      runs: fakeRuns(bundle, () => Promise.resolve()),
      store: workspaces(wsPath, { agentTask: false }),
    });
    assert.equal(await codeOf(gated.do({ ...key, prompt: "p" })), -32602);
    assert.equal(await codeOf(gated.retry({ ...key, taskId: t.id })), -32602);
    assert.equal((await gated.list(key)).items.length, 1);

    // Not idle: refused before any file is touched.
    const busy = new TaskService({
      runs: fakeRuns(bundle, () => Promise.reject(new Error("not reached")), "running"),
      store: workspaces(wsPath),
    });
    assert.equal(await codeOf(busy.do({ ...key, prompt: "p" })), -32001);
    assert.equal((await busy.list(key)).items.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
