import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic_file.ts";

async function inTempDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "mass-atomic-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeFileAtomic: replaces the file whole, mode 0600, no temp file left", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "state.json");
    await writeFileAtomic(path, "old");
    await writeFileAtomic(path, "new", { sync: true });
    assert.equal(await Deno.readTextFile(path), "new");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["state.json"]);
  });
});

Deno.test("writeFileAtomic: honours the mode option", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "pid");
    await writeFileAtomic(path, "1", { mode: 0o644 });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o644);
  });
});

Deno.test("writeFileAtomic: a failed rename keeps the old content and removes the temp file", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "target");
    await Deno.mkdir(path); // renaming a file over a directory fails
    await Deno.writeTextFile(join(path, "inside"), "x");
    await assert.rejects(writeFileAtomic(path, "new"));
    assert.ok((await Deno.stat(path)).isDirectory);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["target"]);
  });
});

Deno.test("writeFileAtomicSync: the same, synchronously", async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, "state.json");
    writeFileAtomicSync(path, "a");
    writeFileAtomicSync(path, "b");
    assert.equal(await Deno.readTextFile(path), "b");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["state.json"]);
    Deno.mkdirSync(join(dir, "d"));
    assert.throws(() => writeFileAtomicSync(join(dir, "d"), "x"));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["d", "state.json"]);
  });
});
