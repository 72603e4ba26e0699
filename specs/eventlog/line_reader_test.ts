import assert from "node:assert/strict";
import { readLines } from "./line_reader.ts";

async function linesOf(text: string, opts: { limit?: number; chunkSize?: number } = {}) {
  const path = await Deno.makeTempFile({ prefix: "mass-lines-" });
  try {
    await Deno.writeTextFile(path, text);
    using file = await Deno.open(path);
    const out: [string, number, boolean][] = [];
    for await (const line of readLines(file, opts)) {
      out.push([new TextDecoder().decode(line.bytes), line.offset, line.terminated]);
    }
    return out;
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("readLines: lines with offsets; a last fragment is unterminated", async () => {
  assert.deepEqual(await linesOf("ab\n\ncd\nef"), [
    ["ab", 0, true],
    ["", 3, true],
    ["cd", 4, true],
    ["ef", 7, false],
  ]);
});

Deno.test("readLines: lines longer than one read are assembled", async () => {
  const long = "x".repeat(50);
  assert.deepEqual(await linesOf(`${long}\ny\n`, { chunkSize: 7 }), [
    [long, 0, true],
    ["y", 51, true],
  ]);
});

Deno.test("readLines: stops at the byte limit", async () => {
  assert.deepEqual(await linesOf("ab\ncd\nef\n", { limit: 6, chunkSize: 4 }), [
    ["ab", 0, true],
    ["cd", 3, true],
  ]);
});
