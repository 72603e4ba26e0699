import assert from "node:assert/strict";
import { resolveLocalPath, WorkspacePrepareError } from "../../daemon/workspace/mod.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "mloc" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function reason(path: string, opts?: { root?: string }): Promise<string> {
  const err = await resolveLocalPath(path, opts).then(() => undefined, (e) => e);
  assert.ok(err instanceof WorkspacePrepareError, `expected a prepare error for ${path}`);
  return err.message;
}

Deno.test("local: an existing directory resolves to its real path", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/real`);
    await Deno.symlink(`${dir}/real`, `${dir}/link`);
    assert.equal(await resolveLocalPath(`${dir}/real`), `${dir}/real`);
    assert.equal(await resolveLocalPath(`${dir}/link`), `${dir}/real`, "symlink resolved");
    assert.equal(await resolveLocalPath(`${dir}/real/../real/`), `${dir}/real`);
  });
});

Deno.test("local: missing, file, symlink loop, relative, NUL → clear errors", async () => {
  await withDir(async (dir) => {
    assert.match(await reason(`${dir}/missing`), /missing: does not exist$/);
    await Deno.writeTextFile(`${dir}/file`, "x");
    assert.match(await reason(`${dir}/file`), /file is not a directory$/);
    await Deno.symlink(`${dir}/loop-b`, `${dir}/loop-a`);
    await Deno.symlink(`${dir}/loop-a`, `${dir}/loop-b`);
    assert.match(await reason(`${dir}/loop-a`), /loop-a: symlink loop$/);
    assert.match(await reason("relative/dir"), /must be absolute/);
    assert.match(await reason("./x"), /must be absolute/);
    assert.match(await reason(`${dir}/a\u0000b`), /NUL/);
    assert.match(await reason(""), /required/);
    assert.match(await reason(`${dir}/file/sub`), /file\/sub: /);
  });
});

Deno.test("local: the mass root and paths inside it are refused", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/root/runs`, { recursive: true });
    await Deno.mkdir(`${dir}/rootish`);
    assert.match(await reason(`${dir}/root`, { root: `${dir}/root` }), /inside the mass root/);
    assert.match(await reason(`${dir}/root/runs`, { root: `${dir}/root` }), /inside the mass root/);
    assert.equal(
      await resolveLocalPath(`${dir}/rootish`, { root: `${dir}/root` }),
      `${dir}/rootish`,
    );
  });
});
