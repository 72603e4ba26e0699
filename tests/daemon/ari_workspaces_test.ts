/**
 * ARI workspace/*: background prepare (git from a local bare repo, local, emptyDir), hooks,
 * failures with errorMessage/hookOutput, selectors, and guarded delete.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Workspace } from "../../specs/ari.ts";
import type { AriClient, WorkspaceInput } from "../../ctl/client/ari_client.ts";
import { until } from "../support/wait.ts";
import { rpcError, startTestDaemon, tempRoot } from "./ari_helpers.ts";

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { GIT_TERMINAL_PROMPT: "0" },
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** A bare repo (file path URL) with one commit holding README.md. */
async function bareRepo(dir: string): Promise<{ url: string; sha: string }> {
  const work = join(dir, "work");
  const bare = join(dir, "repo.git");
  await Deno.mkdir(work);
  await git(dir, "init", "-q", "--bare", bare);
  await git(work, "init", "-q", "-b", "main");
  await Deno.writeTextFile(join(work, "README.md"), "hello from git\n");
  await git(work, "add", "README.md");
  await git(work, "commit", "-q", "-m", "init");
  await git(work, "push", "-q", bare, "main");
  return { url: bare, sha: await git(work, "rev-parse", "HEAD") };
}

async function settled(client: AriClient, name: string): Promise<Workspace> {
  return await until(`workspace ${name} to settle`, async () => {
    const ws = await client.workspaceGet(name);
    return ws.status.phase === "pending" ? undefined : ws;
  });
}

Deno.test("workspace lifecycle: emptyDir with hooks, pending → ready, hooks never echoed", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    const input: WorkspaceInput = {
      metadata: { name: "empty", labels: { env: "test" } },
      spec: {
        source: { type: "emptyDir" },
        hooks: {
          setup: [{ command: "sh", args: ["-c", "echo set > setup.txt"] }],
          teardown: [{ command: "sh", args: ["-c", "echo bye > ../teardown-ran.txt"] }],
        },
      },
    };
    const created = await t.client.workspaceCreate(input);
    assert.equal(created.kind, "Workspace");
    assert.equal(created.status.phase, "pending");
    assert.equal(created.spec.hooks, undefined, "hooks are stripped from responses");

    const ready = await settled(t.client, "empty");
    assert.equal(ready.status.phase, "ready", JSON.stringify(ready.status));
    const path = ready.status.path!;
    assert.equal(path, await Deno.realPath(join(t.root, "workspaces", "empty")));
    assert.equal(await Deno.readTextFile(join(path, "setup.txt")), "set\n");
    assert.equal(ready.spec.hooks, undefined);
    assert.ok((await Deno.stat(join(t.root, "runs", "empty"))).isDirectory);

    const dup = await rpcError(() => t.client.workspaceCreate(input));
    assert.deepEqual(dup, { code: -32602, message: "workspace empty already exists" });

    const listed = (await t.client.workspaceList()).items;
    assert.deepEqual(listed.map((w) => w.metadata.name), ["empty"]);
    assert.equal(listed[0].spec.hooks, undefined);
    assert.equal(
      (await t.client.workspaceList({ fieldSelector: { phase: "ready" } })).items.length,
      1,
    );
    assert.equal(
      (await t.client.workspaceList({ fieldSelector: { phase: "error" } })).items.length,
      0,
    );
    assert.equal((await t.client.workspaceList({ labels: { env: "test" } })).items.length, 1);
    assert.equal((await t.client.workspaceList({ labels: { env: "prod" } })).items.length, 0);

    assert.equal(await t.client.workspaceDelete("empty"), null);
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
    await assert.rejects(() => Deno.stat(join(t.root, "runs", "empty")), Deno.errors.NotFound);
    assert.equal(
      await Deno.readTextFile(join(t.root, "workspaces", "teardown-ran.txt")),
      "bye\n",
      "teardown hooks ran in the workspace before it was removed",
    );
    assert.deepEqual(await rpcError(() => t.client.workspaceGet("empty")), {
      code: -32602,
      message: "workspace empty not found",
    });
    assert.equal((await rpcError(() => t.client.workspaceDelete("empty"))).code, -32602);
  } finally {
    await t.close();
  }
});

Deno.test("workspace from git (local bare repo, branch and commit sha)", async () => {
  const src = await tempRoot();
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    const { url, sha } = await bareRepo(src);
    await t.client.workspaceCreate({
      metadata: { name: "g1" },
      spec: { source: { type: "git", url, ref: "main", depth: 1 } },
    });
    await t.client.workspaceCreate({
      metadata: { name: "g2" },
      spec: { source: { type: "git", url, ref: sha } },
    });
    for (const name of ["g1", "g2"]) {
      const ws = await settled(t.client, name);
      assert.equal(ws.status.phase, "ready", JSON.stringify(ws.status));
      assert.equal(await Deno.readTextFile(join(ws.status.path!, "README.md")), "hello from git\n");
      assert.equal(await git(ws.status.path!, "rev-parse", "HEAD"), sha);
    }
    await t.client.workspaceCreate({
      metadata: { name: "bad-git" },
      spec: { source: { type: "git", url: join(src, "missing.git") } },
    });
    const bad = await settled(t.client, "bad-git");
    assert.equal(bad.status.phase, "error");
    assert.ok(bad.status.errorMessage && bad.status.errorMessage.length > 0);
    await assert.rejects(
      () => Deno.stat(join(t.root, "workspaces", "bad-git")),
      Deno.errors.NotFound,
    );
    // An errored workspace can be deleted.
    assert.equal(await t.client.workspaceDelete("bad-git"), null);
    for (const name of ["g1", "g2"]) await t.client.workspaceDelete(name);
  } finally {
    await t.close();
    await Deno.remove(src, { recursive: true });
  }
});

Deno.test("local workspace: used in place (real path), never deleted", async () => {
  const dir = await tempRoot();
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    await Deno.writeTextFile(join(dir, "keep.txt"), "mine");
    await t.client.workspaceCreate({
      metadata: { name: "loc" },
      spec: {
        source: { type: "local", path: dir },
        hooks: { teardown: [{ command: "sh", args: ["-c", "echo td > teardown.txt"] }] },
      },
    });
    const ws = await settled(t.client, "loc");
    assert.equal(ws.status.phase, "ready");
    assert.equal(ws.status.path, await Deno.realPath(dir));
    await t.client.workspaceDelete("loc");
    assert.equal(await Deno.readTextFile(join(dir, "keep.txt")), "mine");
    assert.equal(await Deno.readTextFile(join(dir, "teardown.txt")), "td\n");
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("failing setup hook: phase error with errorMessage and hookOutput", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    await t.client.workspaceCreate({
      metadata: { name: "hookfail" },
      spec: {
        source: { type: "emptyDir" },
        hooks: { setup: [{ command: "sh", args: ["-c", "echo boom-output; exit 3"] }] },
      },
    });
    const ws = await settled(t.client, "hookfail");
    assert.equal(ws.status.phase, "error");
    assert.ok(ws.status.errorMessage);
    assert.match(ws.status.hookOutput ?? "", /boom-output/);
    await assert.rejects(
      () => Deno.stat(join(t.root, "workspaces", "hookfail")),
      Deno.errors.NotFound,
      "a failed setup removes the managed directory",
    );
    assert.equal(
      (await t.client.workspaceList({ fieldSelector: { phase: "error" } })).items.length,
      1,
    );
  } finally {
    await t.close();
  }
});

Deno.test("workspace/delete is refused while AgentRuns exist, then succeeds", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    await t.client.workspaceCreate({
      metadata: { name: "w" },
      spec: { source: { type: "emptyDir" } },
    });
    assert.equal((await settled(t.client, "w")).status.phase, "ready");
    const store = t.daemon.deps.store;
    await store.createRun({ metadata: { workspace: "w", name: "a" }, spec: { agent: "x" } });
    await store.createRun({ metadata: { workspace: "w", name: "b" }, spec: { agent: "x" } });
    const err = await rpcError(() => t.client.workspaceDelete("w"));
    assert.deepEqual(err, {
      code: -32001,
      message: "workspace w has 2 agent run(s) and cannot be deleted",
    });
    const ws = await t.client.workspaceGet("w");
    assert.equal(ws.status.phase, "ready", "a refused delete changes nothing");
    assert.ok((await Deno.stat(ws.status.path!)).isDirectory);

    await store.deleteRun({ workspace: "w", name: "a" });
    await store.deleteRun({ workspace: "w", name: "b" });
    assert.equal(await t.client.workspaceDelete("w"), null);
    assert.equal((await t.client.workspaceList()).items.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a pending workspace can be deleted: its prepare is cancelled", async () => {
  const t = await startTestDaemon({ seedBuiltins: false });
  try {
    await t.client.workspaceCreate({
      metadata: { name: "slow" },
      spec: {
        source: { type: "emptyDir" },
        hooks: { setup: [{ command: "sleep", args: ["30"] }] },
      },
    });
    await until(
      "managed dir",
      () => Deno.stat(join(t.root, "workspaces", "slow")).then(() => true, () => undefined),
    );
    assert.equal((await t.client.workspaceGet("slow")).status.phase, "pending");
    assert.equal(await t.client.workspaceDelete("slow"), null);
    assert.equal((await rpcError(() => t.client.workspaceGet("slow"))).code, -32602);
    await assert.rejects(() => Deno.stat(join(t.root, "workspaces", "slow")), Deno.errors.NotFound);
  } finally {
    await t.close();
  }
});
