import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FsAccessError,
  FsService,
  resolveForRead,
  resolveForWrite,
  RESOURCE_NOT_FOUND,
  sliceLines,
} from "./fs_service.ts";
import { errorCode } from "../../specs/errors.ts";

Deno.test("sliceLines: 1-based line, limit in lines", () => {
  const t = "a\nb\nc\nd";
  assert.equal(sliceLines(t), t);
  assert.equal(sliceLines(t, 2), "b\nc\nd");
  assert.equal(sliceLines(t, 2, 2), "b\nc");
  assert.equal(sliceLines(t, null, 1), "a");
  assert.equal(sliceLines(t, 10, 2), "");
  assert.equal(sliceLines(t, 0, 1), "a");
});

async function fixture() {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mfs" }));
  const ws = join(root, "ws");
  await Deno.mkdir(join(ws, "sub"), { recursive: true });
  await Deno.writeTextFile(join(ws, "in.txt"), "inside");
  await Deno.writeTextFile(join(root, "secret.txt"), "secret");
  await Deno.symlink(join(root, "secret.txt"), join(ws, "out-link"));
  await Deno.symlink(join(ws, "in.txt"), join(ws, "in-link"));
  await Deno.symlink(root, join(ws, "up"));
  await Deno.symlink(join(root, "nowhere.txt"), join(ws, "dangling"));
  return { root, ws, done: () => Deno.remove(root, { recursive: true }) };
}

const outside = (err: unknown) => err instanceof FsAccessError && errorCode(err) === -32602;

Deno.test("resolveForRead: real paths inside only", async () => {
  const f = await fixture();
  try {
    assert.equal(await resolveForRead(f.ws, join(f.ws, "in.txt")), join(f.ws, "in.txt"));
    assert.equal(await resolveForRead(f.ws, "in.txt"), join(f.ws, "in.txt"));
    assert.equal(await resolveForRead(f.ws, "in-link"), join(f.ws, "in.txt"));
    await assert.rejects(resolveForRead(f.ws, "out-link"), outside);
    await assert.rejects(resolveForRead(f.ws, "up/secret.txt"), outside);
    await assert.rejects(resolveForRead(f.ws, "../secret.txt"), outside);
    await assert.rejects(resolveForRead(f.ws, join(f.ws, "../secret.txt")), outside);
    await assert.rejects(resolveForRead(f.ws, "/etc/passwd"), outside);
    await assert.rejects(
      resolveForRead(f.ws, "missing.txt"),
      (err) => errorCode(err) === RESOURCE_NOT_FOUND,
    );
    await assert.rejects(resolveForRead(f.ws, ""), outside);
    await assert.rejects(resolveForRead(f.ws, "a\0b"), outside);
  } finally {
    await f.done();
  }
});

Deno.test("resolveForWrite: new files below a real ancestor inside; no escaping links", async () => {
  const f = await fixture();
  try {
    assert.equal(await resolveForWrite(f.ws, "new.txt"), join(f.ws, "new.txt"));
    assert.equal(await resolveForWrite(f.ws, "a/b/c.txt"), join(f.ws, "a/b/c.txt"));
    assert.equal(await resolveForWrite(f.ws, "in-link"), join(f.ws, "in.txt"));
    await assert.rejects(resolveForWrite(f.ws, "out-link"), outside);
    await assert.rejects(resolveForWrite(f.ws, "dangling"), outside);
    await assert.rejects(resolveForWrite(f.ws, "up/new.txt"), outside);
    await assert.rejects(resolveForWrite(f.ws, "up/x/y.txt"), outside);
    await assert.rejects(resolveForWrite(f.ws, "../new.txt"), outside);
  } finally {
    await f.done();
  }
});

Deno.test("FsService reads with line/limit and writes (creating directories)", async () => {
  const f = await fixture();
  try {
    const fs = new FsService(f.ws);
    await fs.writeTextFile({ path: "d/e/f.txt", content: "1\n2\n3" });
    assert.equal((await fs.readTextFile({ path: "d/e/f.txt" })).content, "1\n2\n3");
    assert.equal((await fs.readTextFile({ path: "d/e/f.txt", line: 2, limit: 1 })).content, "2");
    await assert.rejects(fs.readTextFile({ path: "sub" }), (e) => errorCode(e) === -32602);
    await assert.rejects(fs.writeTextFile({ path: "out-link", content: "x" }), outside);
    assert.equal(await Deno.readTextFile(join(f.root, "secret.txt")), "secret");
  } finally {
    await f.done();
  }
});
