import assert from "node:assert/strict";
import { cloneGit, isCommitSha, WorkspacePrepareError } from "../../daemon/workspace/mod.ts";

/** Runs git in `cwd`; returns trimmed stdout. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args],
    cwd,
    stdin: "null",
    env: { GIT_TERMINAL_PROMPT: "0" },
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `git ${args.join(" ")}: ${err}`);
  return new TextDecoder().decode(out.stdout).trim();
}

interface Fixture {
  dir: string;
  url: string;
  /** first commit (a=1, tagged v1), second commit (a=2, main tip), feature-branch tip. */
  c1: string;
  c2: string;
  feature: string;
}

/** A source repo: main: c1 (tag v1) → c2; branch feature from c1 with file b. */
async function makeRepo(): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "mgit" });
  const src = `${dir}/src`;
  await Deno.mkdir(src);
  await git(src, "init", "-q", "-b", "main");
  await Deno.writeTextFile(`${src}/a`, "1\n");
  await git(src, "add", "a");
  await git(src, "commit", "-q", "-m", "c1");
  const c1 = await git(src, "rev-parse", "HEAD");
  await git(src, "tag", "v1");
  await git(src, "checkout", "-q", "-b", "feature");
  await Deno.writeTextFile(`${src}/b`, "feature\n");
  await git(src, "add", "b");
  await git(src, "commit", "-q", "-m", "feature");
  const feature = await git(src, "rev-parse", "HEAD");
  await git(src, "checkout", "-q", "main");
  await Deno.writeTextFile(`${src}/a`, "2\n");
  await git(src, "commit", "-q", "-am", "c2");
  const c2 = await git(src, "rev-parse", "HEAD");
  return { dir, url: `file://${src}`, c1, c2, feature };
}

async function withRepo(fn: (fx: Fixture) => Promise<void>): Promise<void> {
  const fx = await makeRepo();
  try {
    await fn(fx);
  } finally {
    await Deno.remove(fx.dir, { recursive: true });
  }
}

const read = (p: string) => Deno.readTextFile(p).then((s) => s.trim());
const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
const T = { timeoutMs: 30_000 };

Deno.test("git: isCommitSha only for exactly 40 hex chars", () => {
  assert.equal(isCommitSha("a".repeat(40)), true);
  assert.equal(isCommitSha("A1".repeat(20)), true);
  assert.equal(isCommitSha("a".repeat(39)), false);
  assert.equal(isCommitSha("g".repeat(40)), false);
  assert.equal(isCommitSha(undefined), false);
});

Deno.test("git: clone default branch, and by branch name", async () => {
  await withRepo(async (fx) => {
    await cloneGit({ type: "git", url: fx.url }, `${fx.dir}/d`, T);
    assert.equal(await read(`${fx.dir}/d/a`), "2");
    assert.equal(await git(`${fx.dir}/d`, "rev-parse", "HEAD"), fx.c2);

    await cloneGit({ type: "git", url: fx.url, ref: "feature" }, `${fx.dir}/f`, T);
    assert.equal(await read(`${fx.dir}/f/b`), "feature");
    assert.equal(await git(`${fx.dir}/f`, "rev-parse", "HEAD"), fx.feature);
    // --single-branch: main is not fetched.
    assert.equal(await git(`${fx.dir}/f`, "branch", "-r", "--list", "origin/main"), "");
  });
});

Deno.test("git: clone by tag", async () => {
  await withRepo(async (fx) => {
    await cloneGit({ type: "git", url: fx.url, ref: "v1" }, `${fx.dir}/t`, T);
    assert.equal(await read(`${fx.dir}/t/a`), "1");
    assert.equal(await git(`${fx.dir}/t`, "rev-parse", "HEAD"), fx.c1);
  });
});

Deno.test("git: clone by 40-hex SHA (full, and shallow with a non-tip SHA)", async () => {
  await withRepo(async (fx) => {
    await cloneGit({ type: "git", url: fx.url, ref: fx.c1 }, `${fx.dir}/s`, T);
    assert.equal(await git(`${fx.dir}/s`, "rev-parse", "HEAD"), fx.c1);
    assert.equal(await read(`${fx.dir}/s/a`), "1");

    // c1 is not in a depth-1 clone of main: it must be fetched by id.
    await cloneGit({ type: "git", url: fx.url, ref: fx.c1, depth: 1 }, `${fx.dir}/s1`, T);
    assert.equal(await git(`${fx.dir}/s1`, "rev-parse", "HEAD"), fx.c1);

    // A SHA only on another branch.
    await cloneGit({ type: "git", url: fx.url, ref: fx.feature }, `${fx.dir}/s2`, T);
    assert.equal(await read(`${fx.dir}/s2/b`), "feature");
  });
});

Deno.test("git: depth 1 gives one commit of history", async () => {
  await withRepo(async (fx) => {
    await cloneGit({ type: "git", url: fx.url, depth: 1 }, `${fx.dir}/d1`, T);
    assert.equal(await git(`${fx.dir}/d1`, "rev-list", "--count", "HEAD"), "1");
    await cloneGit({ type: "git", url: fx.url, depth: 0 }, `${fx.dir}/d0`, T);
    assert.equal(await git(`${fx.dir}/d0`, "rev-list", "--count", "HEAD"), "2", "0 = full");
  });
});

Deno.test("git: missing repo, unknown ref and unknown SHA fail with git's message", async () => {
  await withRepo(async (fx) => {
    const missing = await cloneGit({ type: "git", url: `file://${fx.dir}/nope` }, `${fx.dir}/m`, T)
      .catch((e) => e);
    assert.ok(missing instanceof WorkspacePrepareError);
    assert.match(missing.message, /^git clone file:\/\/.*failed: fatal: .*nope/);
    assert.equal(await exists(`${fx.dir}/m`), false);

    const badRef = await cloneGit({ type: "git", url: fx.url, ref: "no-such" }, `${fx.dir}/r`, T)
      .catch((e) => e);
    assert.ok(badRef instanceof WorkspacePrepareError);
    assert.match(badRef.message, /no-such/);

    const badSha = await cloneGit(
      { type: "git", url: fx.url, ref: "0".repeat(40) },
      `${fx.dir}/x`,
      T,
    )
      .catch((e) => e);
    assert.ok(badSha instanceof WorkspacePrepareError);
    assert.match(badSha.message, /0{40}/);
  });
});

Deno.test("git: option-like url or ref is refused before running git", async () => {
  await withRepo(async (fx) => {
    for (
      const src of [
        { type: "git" as const, url: "--upload-pack=touch /tmp/pwned" },
        { type: "git" as const, url: fx.url, ref: "--upload-pack=x" },
        { type: "git" as const, url: fx.url, ref: "a b" },
        { type: "git" as const, url: fx.url, ref: "a..b" },
      ]
    ) {
      const err = await cloneGit(src, `${fx.dir}/o`, T).catch((e) => e);
      assert.ok(err instanceof WorkspacePrepareError, String(err));
      assert.equal(await exists(`${fx.dir}/o`), false);
    }
  });
});

Deno.test("git: a server that never answers is cut off by the timeout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mgit" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const c of listener) conns.push(c); // accept, never reply
    } catch {
      // listener closed
    }
  })();
  try {
    const url = `http://127.0.0.1:${listener.addr.port}/repo.git`;
    const err = await cloneGit({ type: "git", url }, `${dir}/h`, { timeoutMs: 1500 })
      .catch((e) => e);
    assert.ok(err instanceof WorkspacePrepareError, String(err));
    assert.match(err.message, /timed out after 1500 ms/);
  } finally {
    listener.close();
    await accepting;
    for (const c of conns) c.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("git: an aborted signal stops the clone", async () => {
  await withRepo(async (fx) => {
    const ctrl = new AbortController();
    ctrl.abort();
    const err = await cloneGit({ type: "git", url: fx.url }, `${fx.dir}/a`, {
      timeoutMs: 30_000,
      signal: ctrl.signal,
    }).catch((e) => e);
    assert.ok(err instanceof WorkspacePrepareError);
    assert.match(err.message, /aborted/);
  });
});
