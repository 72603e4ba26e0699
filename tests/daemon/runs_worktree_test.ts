/**
 * Run worktrees for real (issue #10): `mass server` as a subprocess, a local workspace that
 * is a git repository, two test-agent runs each in its own worktree, massctl diff/merge/delete,
 * and a kill -9 of agentd in between.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { AriClient } from "../../ctl/client/ari_client.ts";
import type { RunKey } from "../../specs/ari.ts";
import { eventText } from "../../specs/events.ts";
import { massctl, ok } from "../ctl/cli_helpers.ts";
import { killChild, killGroup } from "../support/process.ts";
import { type ServerProcess, spawnServer } from "../support/server.ts";
import { until } from "../support/wait.ts";
import {
  ariRun,
  collect,
  createIdle,
  isTurnEnd,
  TEST_AGENT,
  text,
  waitPhase,
} from "./runs_helpers.ts";

const ID = ["-c", "user.name=t", "-c", "user.email=t@t"];

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, stdin: "null" }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `git ${args.join(" ")}: ${err}`);
  return new TextDecoder().decode(out.stdout);
}

/** One prompt turn; the agent's reply text. */
async function turn(c: AriClient, key: RunKey, prompt: string): Promise<string> {
  const acc = await c.agentrunPrompt({ ...key, prompt: text(prompt) });
  const events = await collect(c.watch({ ...key, fromSeq: acc.fromSeq }), isTurnEnd);
  return events.map(eventText).join("");
}

Deno.test("worktrees: parallel runs, diff, merge with conflict, kill -9, delete", async () => {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  const repo = await Deno.makeTempDir({ prefix: "mass-repo-" });
  await git(repo, "init", "--quiet", "-b", "main");
  await Deno.writeTextFile(join(repo, "shared.txt"), "one\ntwo\nthree\n");
  await git(repo, "add", ".");
  await git(repo, ...ID, "commit", "--quiet", "-m", "init");
  let server: ServerProcess | undefined;
  const pids: number[] = [];
  try {
    server = await spawnServer(root);
    let c = server.client;
    const socket = `${root}/mass.sock`;
    await c.workspaceCreate({
      metadata: { name: "ws" },
      spec: { source: { type: "local", path: repo } },
    });
    await until(
      "workspace ready",
      async () => (await c.workspaceGet("ws")).status.phase === "ready",
    );
    await c.agentCreate({
      metadata: { name: "test" },
      spec: {
        command: Deno.execPath(),
        args: ["run", "-A", TEST_AGENT],
        startupTimeoutSeconds: 60,
      },
    });
    const a: RunKey = { workspace: "ws", name: "a" };
    const b: RunKey = { workspace: "ws", name: "b" };
    const spec = { agent: "test", worktree: { enabled: true } };
    const ra = await createIdle(c, a, spec);
    const rb = await createIdle(c, b, spec);
    pids.push(ra.status.pid!, rb.status.pid!);
    const wtA = ra.status.worktree!;
    assert.equal(wtA.path, join(await Deno.realPath(root), "worktrees", "ws", "a"));
    assert.equal(wtA.branch, "mass/ws/a");
    assert.equal(wtA.baseRef, "main");
    assert.equal(rb.status.worktree!.branch, "mass/ws/b");

    // Both change the same line of the same file, each in its own worktree.
    assert.match(await turn(c, a, "write shared.txt one\\nTWO-A\\nthree\\n"), /write:ok/);
    assert.match(
      await turn(c, b, "write shared.txt one\\nTWO-B\\nthree\\n\nwrite notes.txt b"),
      /write:ok/,
    );
    assert.equal(await Deno.readTextFile(join(repo, "shared.txt")), "one\ntwo\nthree\n");
    assert.equal(await Deno.readTextFile(join(wtA.path, "shared.txt")), "one\nTWO-A\nthree\n");
    const got = await c.agentrunGet(b);
    assert.equal(got.status.worktree?.dirty, true);
    assert.equal(got.status.worktree?.ahead, 0);

    // Each diff shows that run's change only (untracked files included).
    const diffA = ok(await massctl(socket, ["agentrun", "diff", "a", "-w", "ws"])).stdout;
    assert.match(diffA, /\+TWO-A/);
    assert.doesNotMatch(diffA, /TWO-B|notes\.txt/);
    const diffB = await c.call("agentrun/diff", { ...b });
    assert.deepEqual(diffB.files, ["notes.txt", "shared.txt"]);
    assert.match(diffB.diff, /\+TWO-B/);
    assert.doesNotMatch(diffB.diff, /TWO-A/);
    const stat = ok(await massctl(socket, ["agentrun", "diff", "b", "-w", "ws", "--stat"])).stdout;
    assert.match(stat, /2 files changed/);
    const wide = ok(await massctl(socket, ["agentrun", "get", "-w", "ws", "-o", "wide"])).stdout;
    assert.match(wide, /mass\/ws\/b \(dirty\)/);

    // agentd killed with SIGKILL and started again: each run keeps its agent-run and worktree.
    c.close();
    Deno.kill(server.child.pid, "SIGKILL");
    await server.child.status;
    server = await spawnServer(root);
    c = server.client;
    for (const [key, pid] of [[a, ra.status.pid], [b, rb.status.pid]] as const) {
      const r = await c.agentrunGet(key);
      assert.equal(r.status.pid, pid);
      assert.equal(
        r.status.worktree?.path,
        join(await Deno.realPath(root), "worktrees", "ws", key.name),
      );
      assert.match(
        await turn(c, key, "read shared.txt"),
        new RegExp(`TWO-${key.name.toUpperCase()}`),
      );
    }
    // A restart starts a new agent-run on the same worktree.
    await c.agentrunRestart(a);
    const restarted = await waitPhase(ariRun(c, a), a, "idle");
    pids.push(restarted.status.pid!);
    assert.notEqual(restarted.status.pid, ra.status.pid);
    assert.equal(restarted.status.worktree?.path, wtA.path);
    assert.match(await turn(c, a, "read shared.txt"), /TWO-A/);

    // An agent that commits in its worktree itself (git through terminal/*), on its own branch.
    const cKey: RunKey = { workspace: "ws", name: "c" };
    const rc = await createIdle(c, cKey, {
      agent: "test",
      terminal: true,
      worktree: { enabled: true, branch: "feat/c" },
    });
    pids.push(rc.status.pid!);
    const commit = "terminal git -c user.name=t -c user.email=t@t commit -q -m c-work";
    const said = await turn(c, cKey, `write c.txt from c\nterminal git add -A\n${commit}`);
    assert.match(said, /write:ok.*terminal:exit:0:.*terminal:exit:0:/s);
    const cNow = await c.agentrunGet(cKey);
    assert.equal(cNow.status.worktree?.branch, "feat/c");
    assert.equal(cNow.status.worktree?.ahead, 1);
    assert.equal(cNow.status.worktree?.dirty, false);
    assert.deepEqual((await c.call("agentrun/diff", { ...cKey })).files, ["c.txt"]);

    // Merge a: its uncommitted work is committed on its branch and merged into main.
    const ma = ok(await massctl(socket, ["agentrun", "merge", "a", "-w", "ws"])).stdout;
    assert.match(ma, /merged mass\/ws\/a into main/);
    assert.equal(await Deno.readTextFile(join(repo, "shared.txt")), "one\nTWO-A\nthree\n");
    // Merge b: a conflict, reported with its file; main and its checkout stay as they were.
    const head = (await git(repo, "rev-parse", "HEAD")).trim();
    const mb = await massctl(socket, ["agentrun", "merge", "b", "-w", "ws"]);
    assert.equal(mb.code, 1);
    assert.match(mb.stderr, /conflicts in shared\.txt; merge aborted, main unchanged/);
    assert.equal((await git(repo, "status", "--porcelain")).trim(), "");
    assert.equal((await git(repo, "rev-parse", "HEAD")).trim(), head);
    assert.equal(await Deno.readTextFile(join(repo, "shared.txt")), "one\nTWO-A\nthree\n");
    // c's commit merges cleanly (a merge commit: main moved on since c's base).
    const mc = await c.call("agentrun/merge", { ...cKey });
    assert.equal(mc.merged, true);
    assert.equal(mc.committed, undefined);
    assert.equal(await Deno.readTextFile(join(repo, "c.txt")), "from c");
    assert.equal(
      (await git(repo, "rev-list", "--parents", "-n", "1", "HEAD")).trim().split(" ").length,
      3,
    );

    // Delete: a (clean) goes and its branch stays; b with new uncommitted work needs --force.
    assert.match(await turn(c, b, "write later.txt x"), /write:ok/);
    await c.agentrunStop(a);
    await c.agentrunStop(b);
    await c.agentrunStop(cKey);
    await c.agentrunDelete({ ...cKey });
    ok(await massctl(socket, ["agentrun", "delete", "a", "-w", "ws"]));
    await assert.rejects(Deno.stat(wtA.path), Deno.errors.NotFound);
    assert.match(await git(repo, "branch", "--list", "mass/ws/a"), /mass\/ws\/a/);
    const refused = await massctl(socket, ["agentrun", "delete", "b", "-w", "ws"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /uncommitted changes.*later\.txt.*--force/);
    assert.ok((await Deno.stat(join(rb.status.worktree!.path, "later.txt"))).isFile);
    ok(
      await massctl(socket, [
        "agentrun",
        "delete",
        "b",
        "-w",
        "ws",
        "--force",
        "--delete-branch",
        "-y",
      ]),
    );
    await assert.rejects(Deno.stat(rb.status.worktree!.path), Deno.errors.NotFound);
    assert.equal((await git(repo, "branch", "--list", "mass/ws/b")).trim(), "");
    assert.equal((await git(repo, "worktree", "list")).trim().split("\n").length, 1);
  } finally {
    server?.client.close();
    if (server) {
      killChild(server.child, "SIGTERM");
      await server.child.status;
    }
    for (const pid of pids) killGroup(pid);
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.remove(repo, { recursive: true }).catch(() => {});
  }
});

Deno.test("worktrees: refused up front outside a git repository and for an unknown base", async () => {
  const root = await Deno.makeTempDir({ prefix: "m", dir: "/tmp" });
  let server: ServerProcess | undefined;
  try {
    server = await spawnServer(root);
    const c = server.client;
    await c.workspaceCreate({ metadata: { name: "ws" }, spec: { source: { type: "emptyDir" } } });
    await until(
      "workspace ready",
      async () => (await c.workspaceGet("ws")).status.phase === "ready",
    );
    // Never started (no such command): the run leaves no process behind.
    await c.agentCreate({ metadata: { name: "test" }, spec: { command: "/nonexistent/agent" } });
    const create = (worktree: { enabled: boolean; base?: string }) =>
      c.agentrunCreate({
        metadata: { workspace: "ws", name: "x" },
        spec: { agent: "test", worktree },
      });
    await assert.rejects(create({ enabled: true }), (err: Error & { code?: number }) => {
      assert.equal(err.code, -32602);
      assert.match(err.message, /not a git repository: spec.worktree needs one/);
      return true;
    });
    await git(`${root}/workspaces/ws`, "init", "--quiet", "-b", "main");
    await git(`${root}/workspaces/ws`, ...ID, "commit", "--quiet", "--allow-empty", "-m", "init");
    await assert.rejects(create({ enabled: true, base: "nope" }), /names no commit/);
    await assert.rejects(create({ enabled: true, base: "-x" }), /not a valid git ref name/);
    await c.agentrunCreate({
      metadata: { workspace: "ws", name: "plain" },
      spec: { agent: "test" },
    });
    const plain = await massctl(`${root}/mass.sock`, ["agentrun", "merge", "plain", "-w", "ws"]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /ws\/plain has no worktree: it was created without spec.worktree/);
    const diff = await massctl(`${root}/mass.sock`, ["agentrun", "diff", "nope", "-w", "ws"]);
    assert.equal(diff.code, 1);
    assert.match(diff.stderr, /nope/);
  } finally {
    server?.client.close();
    if (server) {
      killChild(server.child, "SIGTERM");
      await server.child.status;
    }
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
