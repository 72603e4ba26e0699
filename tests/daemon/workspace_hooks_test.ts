import assert from "node:assert/strict";
import { OutputTail, runHook, runHooks } from "../../daemon/workspace/mod.ts";
import { waitGone } from "../support/process.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mhook" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const sh = (script: string) => ({ command: "sh", args: ["-c", script] });

Deno.test("hooks: run in order, in cwd, with PATH from the host; combined output", async () => {
  await withDir(async (dir) => {
    const res = await runHooks([
      sh('pwd > where; echo "out1"; echo "err1" >&2'),
      sh('test -f where && echo "PATH set: ${PATH:+yes}"'),
    ], { cwd: dir, deadline: Date.now() + 20_000 });
    assert.equal(res.ok, true, res.message);
    assert.equal(res.results.length, 2);
    assert.equal((await Deno.readTextFile(`${dir}/where`)).trim(), dir);
    assert.match(res.output, /out1/);
    assert.match(res.output, /err1/, "stderr captured too");
    assert.match(res.output, /PATH set: yes/);
  });
});

Deno.test("hooks: the first failure stops the sequence and reports its output", async () => {
  await withDir(async (dir) => {
    const res = await runHooks([
      sh("echo fine"),
      { ...sh("echo broken >&2; exit 3"), description: "make deps" },
      sh("touch should-not-run"),
    ], { cwd: dir, deadline: Date.now() + 20_000, label: "setup hook" });
    assert.equal(res.ok, false);
    assert.equal(res.results.length, 2);
    assert.equal(res.message, "setup hook 2/3 (make deps) failed: exited with code 3");
    assert.equal(res.output.trim(), "broken");
    assert.equal(res.results[1].exitCode, 3);
    await assert.rejects(() => Deno.stat(`${dir}/should-not-run`));
  });
});

Deno.test("hooks: a missing command is a failure, not a crash", async () => {
  await withDir(async (dir) => {
    const res = await runHook({ command: "mass-no-such-command-xyz" }, {
      cwd: dir,
      timeoutMs: 5000,
    });
    assert.equal(res.ok, false);
    assert.match(res.error!, /command not found/);
  });
});

Deno.test("hooks: timeout kills the hook's whole process group", async () => {
  await withDir(async (dir) => {
    const res = await runHook(sh(`sleep 60 & echo $! > ${dir}/bg.pid; echo started; wait`), {
      cwd: dir,
      timeoutMs: 700,
      label: "setup hook 1/1 (sleepy)",
    });
    assert.equal(res.ok, false);
    assert.equal(res.timedOut, true);
    assert.equal(res.signal, "SIGKILL");
    assert.equal(res.error, "setup hook 1/1 (sleepy) timed out after 0.7s");
    assert.match(res.output, /started/);
    const bg = Number((await Deno.readTextFile(`${dir}/bg.pid`)).trim());
    assert.ok(bg > 0);
    await waitGone(bg, "background child of the hook to be killed", 5_000);
  });
});

Deno.test("hooks: deadline shared across the sequence", async () => {
  await withDir(async (dir) => {
    const res = await runHooks([sh("sleep 0.3"), sh("sleep 30")], {
      cwd: dir,
      deadline: Date.now() + 900,
    });
    assert.equal(res.ok, false);
    assert.equal(res.results[1].timedOut, true);
    assert.match(res.message!, /timed out/);
  });
});

Deno.test("hooks: an abort signal kills a running hook", async () => {
  await withDir(async (dir) => {
    const ctrl = new AbortController();
    const p = runHook(sh("echo go; sleep 60"), {
      cwd: dir,
      timeoutMs: 60_000,
      signal: ctrl.signal,
    });
    setTimeout(() => ctrl.abort(), 200);
    const res = await p;
    assert.equal(res.ok, false);
    assert.match(res.error!, /aborted/);
  });
});

Deno.test("hooks: a background child holding stdout does not block completion", async () => {
  await withDir(async (dir) => {
    const res = await runHook(sh(`sleep 30 & echo $! > ${dir}/bg.pid; echo done`), {
      cwd: dir,
      timeoutMs: 20_000,
    });
    assert.equal(res.ok, true, res.error);
    assert.match(res.output, /done/);
    const bg = Number((await Deno.readTextFile(`${dir}/bg.pid`)).trim());
    Deno.kill(bg, "SIGKILL"); // our own leftover: clean it up
    await waitGone(bg, "our leftover to be gone", 5_000);
  });
});

Deno.test("hooks: output is truncated to the limit, keeping the tail", async () => {
  await withDir(async (dir) => {
    const res = await runHook(
      sh("i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; echo LAST"),
      { cwd: dir, timeoutMs: 20_000, outputLimit: 4096 },
    );
    assert.equal(res.ok, true);
    const [marker, ...rest] = res.output.split("\n");
    assert.match(marker, /^\[… \d+ bytes truncated\]$/);
    assert.equal(new TextEncoder().encode(rest.join("\n")).length, 4096);
    assert.match(res.output, /LAST\n$/);
  });
});

Deno.test("OutputTail keeps exactly the last bytes", () => {
  const t = new OutputTail(5);
  const enc = new TextEncoder();
  t.push(enc.encode("abc"));
  assert.equal(t.text(), "abc");
  t.push(enc.encode("defg"));
  assert.equal(t.text(), "[… 2 bytes truncated]\ncdefg");
  t.push(enc.encode("0123456789"));
  assert.equal(t.text(), "[… 12 bytes truncated]\n56789");
});
