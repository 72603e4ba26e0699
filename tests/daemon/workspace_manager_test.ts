import assert from "node:assert/strict";
import {
  cleanupWorkspace,
  managedWorkspaceDir,
  prepareWorkspace,
  WorkspaceManager,
  WorkspacePrepareError,
} from "../../daemon/workspace/mod.ts";
import type { WorkspaceSpec } from "../../specs/ari.ts";
import { ErrorCode, errorCode } from "../../specs/errors.ts";

async function withRoot(fn: (root: string, scratch: string) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "mws" }));
  const root = `${base}/root`;
  const scratch = `${base}/scratch`;
  await Deno.mkdir(root, { mode: 0o700 });
  await Deno.mkdir(scratch);
  try {
    await fn(root, scratch);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
const sh = (script: string) => ({ command: "sh", args: ["-c", script] });

async function gitRepo(dir: string): Promise<string> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("git", {
      args: ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args],
      cwd: dir,
      stdin: "null",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  };
  await run("init", "-q", "-b", "main");
  await Deno.writeTextFile(`${dir}/README`, "hello\n");
  await run("add", "README");
  await run("commit", "-q", "-m", "init");
  return `file://${dir}`;
}

Deno.test("manager: emptyDir lands at <root>/workspaces/<name> (single 'workspaces')", async () => {
  await withRoot(async (root) => {
    const res = await prepareWorkspace("ws1", { source: { type: "emptyDir" } }, { root });
    assert.equal(res.path, `${root}/workspaces/ws1`);
    assert.equal(res.managed, true);
    assert.equal(managedWorkspaceDir(root, "ws1"), res.path);
    assert.equal((await Deno.stat(res.path)).isDirectory, true);
    assert.equal(await exists(`${root}/workspaces/workspaces`), false);
  });
});

Deno.test("manager: git source cloned into the managed dir", async () => {
  await withRoot(async (root, scratch) => {
    const url = await gitRepo(scratch);
    const res = await prepareWorkspace("code", { source: { type: "git", url } }, { root });
    assert.equal(res.path, `${root}/workspaces/code`);
    assert.equal(await Deno.readTextFile(`${res.path}/README`), "hello\n");
  });
});

Deno.test("manager: a stale managed dir is replaced, not merged", async () => {
  await withRoot(async (root) => {
    await Deno.mkdir(`${root}/workspaces/w/junk`, { recursive: true });
    const res = await prepareWorkspace("w", { source: { type: "emptyDir" } }, { root });
    assert.deepEqual([...Deno.readDirSync(res.path)], []);
  });
});

Deno.test("manager: setup hooks run in the workspace and their effect is visible", async () => {
  await withRoot(async (root) => {
    const spec: WorkspaceSpec = {
      source: { type: "emptyDir" },
      hooks: { setup: [sh("echo ready > marker; echo set up")] },
    };
    const res = await prepareWorkspace("w", spec, { root });
    assert.equal(await Deno.readTextFile(`${res.path}/marker`), "ready\n");
    assert.equal(res.hookOutput, "set up\n");
  });
});

Deno.test("manager: failing setup hook → error with its output, managed dir removed", async () => {
  await withRoot(async (root, scratch) => {
    const url = await gitRepo(scratch);
    const spec: WorkspaceSpec = {
      source: { type: "git", url },
      hooks: { setup: [sh("echo installing; echo 'npm ERR! boom' >&2; exit 7")] },
    };
    const err = await prepareWorkspace("w", spec, { root }).catch((e) => e);
    assert.ok(err instanceof WorkspacePrepareError);
    assert.equal(err.code, ErrorCode.Internal);
    assert.match(err.message, /^setup hook 1\/1 \(sh -c .*\) failed: exited with code 7$/);
    assert.match(err.hookOutput!, /installing/);
    assert.match(err.hookOutput!, /npm ERR! boom/);
    assert.equal(await exists(`${root}/workspaces/w`), false, "managed dir removed");
  });
});

Deno.test("manager: failing setup hook never removes a local dir", async () => {
  await withRoot(async (root, scratch) => {
    await Deno.writeTextFile(`${scratch}/keep`, "x");
    const spec: WorkspaceSpec = {
      source: { type: "local", path: scratch },
      hooks: { setup: [sh("exit 1")] },
    };
    const err = await prepareWorkspace("w", spec, { root }).catch((e) => e);
    assert.ok(err instanceof WorkspacePrepareError);
    assert.equal(await Deno.readTextFile(`${scratch}/keep`), "x");
  });
});

Deno.test("manager: the prepare timeout bounds the setup hooks", async () => {
  await withRoot(async (root) => {
    const spec: WorkspaceSpec = {
      source: { type: "emptyDir" },
      hooks: { setup: [sh("echo waiting; sleep 60")] },
    };
    const err = await prepareWorkspace("w", spec, { root, timeoutMs: 800 }).catch((e) => e);
    assert.ok(err instanceof WorkspacePrepareError);
    assert.match(err.message, /timed out/);
    assert.match(err.hookOutput!, /waiting/);
    assert.equal(await exists(`${root}/workspaces/w`), false);
  });
});

Deno.test("manager: local source resolves to the real path and is never removed", async () => {
  await withRoot(async (root, scratch) => {
    await Deno.symlink(scratch, `${root}/../link`);
    const spec: WorkspaceSpec = {
      source: { type: "local", path: `${root}/../link` },
      hooks: { teardown: [sh("pwd > torn-down")] },
    };
    const res = await prepareWorkspace("loc", spec, { root });
    assert.equal(res.path, scratch);
    assert.equal(res.managed, false);
    assert.equal(await exists(`${root}/workspaces/loc`), false);

    const out = await cleanupWorkspace("loc", spec, { path: res.path }, { root });
    assert.equal(out.removed, false);
    assert.equal(out.teardown?.ok, true);
    assert.equal((await Deno.stat(scratch)).isDirectory, true, "local dir kept");
    assert.equal((await Deno.readTextFile(`${scratch}/torn-down`)).trim(), scratch);
  });
});

Deno.test("manager: local errors surface as prepare errors", async () => {
  await withRoot(async (root, scratch) => {
    for (
      const [path, re] of [
        [`${scratch}/missing`, /does not exist/],
        ["rel/path", /must be absolute/],
        [root, /inside the mass root/],
      ] as const
    ) {
      const err = await prepareWorkspace("w", { source: { type: "local", path } }, { root })
        .catch((e) => e);
      assert.ok(err instanceof WorkspacePrepareError, String(err));
      assert.match(err.message, re);
    }
  });
});

Deno.test("manager: cleanup runs teardown in the managed dir, then removes it", async () => {
  await withRoot(async (root, scratch) => {
    const spec: WorkspaceSpec = {
      source: { type: "emptyDir" },
      hooks: { teardown: [sh(`pwd > ${scratch}/teardown-cwd`), sh("exit 4")] },
    };
    const mgr = new WorkspaceManager({ root });
    const { path } = await mgr.prepare("w", spec);
    const out = await mgr.cleanup("w", spec, { path });
    assert.equal((await Deno.readTextFile(`${scratch}/teardown-cwd`)).trim(), path);
    assert.equal(out.teardown?.ok, false, "teardown failure reported…");
    assert.match(out.teardown!.message!, /teardown hook 2\/2 .* exited with code 4/);
    assert.equal(out.removed, true, "…but cleanup still removes the dir");
    assert.equal(await exists(path), false);

    const again = await mgr.cleanup("w", spec, { path });
    assert.equal(again.removed, false, "second cleanup is a no-op");
  });
});

Deno.test("manager: cleanup never trusts status.path for removal", async () => {
  await withRoot(async (root, scratch) => {
    await Deno.writeTextFile(`${scratch}/precious`, "x");
    const spec: WorkspaceSpec = { source: { type: "emptyDir" } };
    await prepareWorkspace("w", spec, { root });
    await cleanupWorkspace("w", spec, { path: scratch }, { root });
    assert.equal(await Deno.readTextFile(`${scratch}/precious`), "x");
    assert.equal(await exists(`${root}/workspaces/w`), false);
  });
});

Deno.test("manager: hostile names rejected before touching the filesystem", async () => {
  await withRoot(async (root, scratch) => {
    await Deno.writeTextFile(`${scratch}/precious`, "x");
    for (const bad of ["..", ".", "a/b", "../scratch", "a\u0000b", "x".repeat(300), "", "A"]) {
      for (
        const op of [
          () => prepareWorkspace(bad, { source: { type: "emptyDir" } }, { root }),
          () =>
            prepareWorkspace(bad, { source: { type: "git", url: "file:///nonexistent" } }, {
              root,
            }),
          () =>
            cleanupWorkspace(bad, { source: { type: "emptyDir" } }, { path: scratch }, { root }),
        ]
      ) {
        await assert.rejects(op, (e: unknown) => errorCode(e) === ErrorCode.InvalidParams);
      }
      assert.throws(() => managedWorkspaceDir(root, bad));
    }
    assert.deepEqual([...Deno.readDirSync(root)], [], "nothing created under root");
    assert.equal(await Deno.readTextFile(`${scratch}/precious`), "x");
  });
});

Deno.test("manager: a bad git URL fails with git's message and leaves no directory", async () => {
  await withRoot(async (root, scratch) => {
    const spec: WorkspaceSpec = { source: { type: "git", url: `file://${scratch}/no-repo` } };
    const err = await prepareWorkspace("w", spec, { root, timeoutMs: 20_000 }).catch((e) => e);
    assert.ok(err instanceof WorkspacePrepareError);
    assert.match(err.message, /^git clone .* failed: fatal: /);
    assert.equal(err.hookOutput, undefined);
    assert.equal(await exists(`${root}/workspaces/w`), false);
  });
});
