/**
 * Issue #8 (isolation): `mass server --root` never chmods a directory it did not create and
 * refuses a root that is not safely ours.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unsafeRootProblem } from "../../daemon/root_lock.ts";
import { killChild } from "../support/process.ts";
import { deadline } from "../support/wait.ts";
import { startTestDaemon } from "./ari_helpers.ts";

const MASS = fileURLToPath(new URL("../../mass.ts", import.meta.url));

Deno.test("mass server --root on a group/other-writable directory: one line, exit 1, mode kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "m" });
  const root = join(dir, "shared");
  try {
    await Deno.mkdir(root);
    await Deno.chmod(root, 0o777);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MASS, "server", "--root", root],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = await deadline(child.output(), 60_000, "mass server to refuse").catch((err) => {
      killChild(child);
      throw err;
    });
    const stderr = new TextDecoder().decode(out.stderr).trim();
    assert.equal(out.code, 1, stderr);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, /writable by group or others \(mode 777\).*--root/);
    assert.ok(stderr.includes(root), stderr);
    assert.equal((await Deno.stat(root)).mode! & 0o777, 0o777, "not chmodded");
    assert.deepEqual([...Deno.readDirSync(root)], [], "nothing created in it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an existing root of ours (0750) is used as it is, not chmodded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "m" });
  const root = join(dir, "r");
  try {
    await Deno.mkdir(root);
    await Deno.chmod(root, 0o750);
    const t = await startTestDaemon({ root, seedBuiltins: false, keepRoot: true });
    await t.close();
    assert.equal((await Deno.stat(root)).mode! & 0o777, 0o750);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unsafeRootProblem: not a directory, another owner, group/other-writable", () => {
  const info = (over: Partial<Deno.FileInfo>) =>
    ({ isDirectory: true, uid: 1000, mode: 0o40700, ...over }) as Deno.FileInfo;
  assert.equal(unsafeRootProblem("/r", info({}), 1000), undefined);
  assert.equal(unsafeRootProblem("/r", info({ mode: 0o40755 }), 1000), undefined);
  assert.match(unsafeRootProblem("/r", info({ isDirectory: false }), 1000)!, /not a directory/);
  assert.match(unsafeRootProblem("/r", info({ uid: 0 }), 1000)!, /owned by uid 0/);
  assert.match(unsafeRootProblem("/r", info({ mode: 0o40770 }), 1000)!, /mode 770/);
  assert.match(unsafeRootProblem("/r", info({ mode: 0o41777 }), 1000)!, /mode 777/);
});
