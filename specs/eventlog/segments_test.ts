import assert from "node:assert/strict";
import { listSegments, segmentFileName } from "./segments.ts";

Deno.test("segmentFileName: the first seq, zero-padded to 12", () => {
  assert.equal(segmentFileName(0), "events-000000000000.jsonl");
  assert.equal(segmentFileName(1234), "events-000000001234.jsonl");
  assert.equal(segmentFileName(10 ** 13), "events-10000000000000.jsonl");
});

Deno.test("listSegments: segment files only, by first seq; a missing dir has none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mass-segments-" });
  try {
    for (const seq of [10, 2, 100]) await Deno.writeTextFile(`${dir}/${segmentFileName(seq)}`, "");
    await Deno.writeTextFile(`${dir}/events-1.jsonl`, ""); // too few digits
    await Deno.writeTextFile(`${dir}/notes.txt`, "");
    await Deno.mkdir(`${dir}/${segmentFileName(5)}`); // a directory, not a segment
    const segments = await listSegments(dir);
    assert.deepEqual(segments.map((s) => s.firstSeq), [2, 10, 100]);
    assert.equal(segments[0].path, `${dir}/${segmentFileName(2)}`);
    assert.deepEqual(await listSegments(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
