import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureWorktree } from "./worktree_create.ts";
import { worktreeDiff } from "./worktree_diff.ts";
import { worktreeGit } from "./worktree_git.ts";
import { mergeWorktree } from "./worktree_merge.ts";
import { assertRemovable, removeWorktree } from "./worktree_remove.ts";
import { worktreeState } from "./worktree_state.ts";

const ID = ["-c", "user.name=t", "-c", "user.email=t@t"];

async function repo(): Promise<{ root: string; repoPath: string }> {
  const dir = await Deno.makeTempDir({ prefix: "mass-wt-" });
  const repoPath = join(dir, "repo");
  await Deno.mkdir(repoPath);
  const git = worktreeGit(repoPath);
  await git.raw(["init", "--quiet", "-b", "main"]);
  await Deno.writeTextFile(join(repoPath, "shared.txt"), "one\ntwo\nthree\n");
  await git.raw(["add", "."]);
  await git.raw([...ID, "commit", "--quiet", "-m", "init"]);
  const root = join(dir, "root");
  await Deno.mkdir(root);
  return { root, repoPath };
}

Deno.test("worktrees: two runs edit one file apart, diff, merge, conflict, remove", async () => {
  const { root, repoPath } = await repo();
  const make = (run: string) =>
    ensureWorktree({ root, workspace: "ws", run, repoPath, spec: { enabled: true } });
  const a = await make("a");
  const b = await make("b");
  assert.equal(a.status.branch, "mass/ws/a");
  assert.equal(a.status.path, join(root, "worktrees", "ws", "a"));
  assert.equal(a.status.baseRef, "main");
  await Deno.writeTextFile(join(a.workdir, "shared.txt"), "one\nTWO-A\nthree\n");
  await Deno.writeTextFile(join(b.workdir, "shared.txt"), "one\nTWO-B\nthree\n");
  await Deno.writeTextFile(join(b.workdir, "new.txt"), "fresh\n");
  assert.equal(await Deno.readTextFile(join(repoPath, "shared.txt")), "one\ntwo\nthree\n");

  const da = await worktreeDiff(a.status);
  assert.deepEqual(da.files, ["shared.txt"]);
  assert.match(da.diff, /\+TWO-A/);
  assert.doesNotMatch(da.diff, /TWO-B/);
  const db = await worktreeDiff(b.status);
  assert.deepEqual(db.files, ["new.txt", "shared.txt"]);
  assert.match(db.diff, /\+fresh/);
  assert.match((await worktreeDiff(b.status, { stat: true })).diff, /2 files changed/);
  assert.deepEqual(await worktreeState(b.status), { ...b.status, dirty: true, ahead: 0 });

  await assert.rejects(assertRemovable(b.status, { run: "b" }), /uncommitted changes/);

  const ma = await mergeWorktree({ root, workspace: "ws", run: "a", repoPath, status: a.status });
  assert.equal(ma.merged, true);
  assert.ok(ma.committed);
  assert.equal(ma.into, "main");
  assert.equal(await Deno.readTextFile(join(repoPath, "shared.txt")), "one\nTWO-A\nthree\n");
  assert.deepEqual(await worktreeState(a.status), { ...a.status, dirty: false, ahead: 1 });

  const mb = await mergeWorktree({ root, workspace: "ws", run: "b", repoPath, status: b.status });
  assert.equal(mb.merged, false);
  assert.deepEqual(mb.conflicts, ["shared.txt"]);
  const main = worktreeGit(repoPath);
  assert.equal((await main.raw(["status", "--porcelain"])).trim(), "");
  assert.equal(await Deno.readTextFile(join(repoPath, "shared.txt")), "one\nTWO-A\nthree\n");
  assert.equal((await main.raw(["rev-parse", "HEAD"])).trim(), ma.head);

  // Merge refused when the target has uncommitted changes.
  await Deno.writeTextFile(join(repoPath, "shared.txt"), "local edit\n");
  await assert.rejects(
    mergeWorktree({ root, workspace: "ws", run: "b", repoPath, status: b.status }),
    /uncommitted changes/,
  );
  await main.raw(["checkout", "--", "shared.txt"]);

  await removeWorktree(repoPath, a.status);
  await assert.rejects(Deno.stat(a.status.path), Deno.errors.NotFound);
  assert.match(await main.raw(["branch", "--list", "mass/ws/a"]), /mass\/ws\/a/);
  await removeWorktree(repoPath, b.status, { deleteBranch: true });
  assert.equal((await main.raw(["branch", "--list", "mass/ws/b"])).trim(), "");
  await Deno.remove(join(root, ".."), { recursive: true });
});

Deno.test("worktrees: squash into another branch, reuse on restart, bad base", async () => {
  const { root, repoPath } = await repo();
  const main = worktreeGit(repoPath);
  await main.raw(["branch", "release"]);
  const a = await ensureWorktree({
    root,
    workspace: "ws",
    run: "a",
    repoPath,
    spec: { enabled: true, branch: "feat/a" },
  });
  await Deno.writeTextFile(join(a.workdir, "x.txt"), "x\n");
  const again = await ensureWorktree({
    root,
    workspace: "ws",
    run: "a",
    repoPath,
    spec: { enabled: true, branch: "feat/a" },
    recorded: a.status,
  });
  assert.equal(again.created, false);
  assert.equal(await Deno.readTextFile(join(again.workdir, "x.txt")), "x\n");
  const m = await mergeWorktree({
    root,
    workspace: "ws",
    run: "a",
    repoPath,
    status: a.status,
    squash: true,
    into: "release",
  });
  assert.equal(m.merged, true);
  assert.equal(await main.raw(["show", "release:x.txt"]), "x\n");
  assert.equal((await main.raw(["rev-list", "--count", "release"])).trim(), "2");
  await assert.rejects(
    mergeWorktree({ root, workspace: "ws", run: "a", repoPath, status: a.status, into: "nope" }),
    /--into nope: no such branch/,
  );
  const up = await mergeWorktree({
    root,
    workspace: "ws",
    run: "a",
    repoPath,
    status: a.status,
    into: "release",
  });
  assert.equal(up.merged, true);
  await assert.rejects(
    ensureWorktree({
      root,
      workspace: "ws",
      run: "c",
      repoPath,
      spec: { enabled: true, base: "nope" },
    }),
    /names no commit/,
  );
  await removeWorktree(repoPath, a.status, { deleteBranch: true });
  await Deno.remove(join(root, ".."), { recursive: true });
});

Deno.test("worktrees: a workspace in a sub-directory works in the same sub-directory", async () => {
  const { root, repoPath } = await repo();
  await Deno.mkdir(join(repoPath, "app"));
  await Deno.writeTextFile(join(repoPath, "app", "a.txt"), "a\n");
  const git = worktreeGit(repoPath);
  await git.raw(["add", "."]);
  await git.raw([...ID, "commit", "--quiet", "-m", "app"]);
  const wt = await ensureWorktree({
    root,
    workspace: "ws",
    run: "s",
    repoPath: join(repoPath, "app"),
    spec: { enabled: true },
  });
  assert.equal(wt.workdir, join(wt.status.path, "app"));
  assert.equal(await Deno.readTextFile(join(wt.workdir, "a.txt")), "a\n");
  await Deno.writeTextFile(join(wt.workdir, "b.txt"), "b\n");
  assert.deepEqual((await worktreeDiff(wt.status)).files, ["app/b.txt"]);
  await removeWorktree(repoPath, wt.status, { deleteBranch: true });
  await Deno.remove(join(root, ".."), { recursive: true });
});
