import assert from "node:assert/strict";
import { join } from "node:path";
import { gitWorktreeDirs } from "./git_worktree_dirs.ts";
import { agentRunPermissionFlags } from "./permissions_flags.ts";

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", { args, cwd, stdin: "null" }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test("gitWorktreeDirs: a linked worktree's git dir and the repository's .git; none otherwise", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mgw" }));
  try {
    const repo = join(root, "repo");
    await Deno.mkdir(repo);
    await git(repo, "init", "--quiet", "-b", "main");
    await git(
      repo,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      "i",
    );
    const wt = join(root, "wt");
    await git(repo, "worktree", "add", "--quiet", "-b", "x", wt);
    assert.deepEqual(gitWorktreeDirs(wt), [
      join(repo, ".git", "worktrees", "wt"),
      join(repo, ".git"),
    ]);
    assert.deepEqual(gitWorktreeDirs(repo), []);
    assert.deepEqual(gitWorktreeDirs(join(root, "missing")), []);
    const flags = agentRunPermissionFlags({
      bundleDir: join(root, "b"),
      workspaceDir: wt,
      agentCommand: "",
    });
    const write = flags.find((f) => f.startsWith("--allow-write="))!.split("=")[1].split(",");
    assert.ok(write.includes(join(repo, ".git")));
    assert.ok(write.includes(join(repo, ".git", "worktrees", "wt")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
