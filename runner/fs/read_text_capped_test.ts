import assert from "node:assert/strict";
import { join } from "node:path";
import { readTextCapped } from "./read_text_capped.ts";
import { sliceLines } from "./fs_service.ts";
import { errorCode } from "../../specs/errors.ts";

async function withFile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mcap" });
  try {
    await Deno.writeTextFile(join(dir, "f"), text);
    await fn(join(dir, "f"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const over = (err: unknown) => errorCode(err) === -32602 && /limit of \d+ bytes/.test(String(err));

Deno.test("readTextCapped: slices like sliceLines", async () => {
  for (const text of ["a\nb\nc\nd", "a\nb\n", "", "\n\n", "é\nü\n"]) {
    await withFile(text, async (path) => {
      for (const [line, limit] of [[null, null], [2, null], [2, 2], [null, 1], [10, 2], [0, 1]]) {
        assert.equal(
          await readTextCapped(path, { line, limit }),
          sliceLines(text, line, limit),
          `${JSON.stringify(text)} ${line} ${limit}`,
        );
      }
    });
  }
});

Deno.test("readTextCapped: a whole file over the cap is refused; a slice of it is served", async () => {
  const text = Array.from({ length: 100 }, (_, i) => `line-${i}`.padEnd(20, "x")).join("\n");
  await withFile(text, async (path) => {
    await assert.rejects(() => readTextCapped(path, { maxBytes: 1000 }), over);
    assert.equal(
      await readTextCapped(path, { line: 51, limit: 2, maxBytes: 1000 }),
      sliceLines(text, 51, 2),
    );
    await assert.rejects(() => readTextCapped(path, { line: 1, limit: 80, maxBytes: 1000 }), over);
  });
});

Deno.test("readTextCapped: one endless line is bounded too", async () => {
  await withFile("x".repeat(200_000), async (path) => {
    await assert.rejects(() => readTextCapped(path, { line: 1, limit: 1, maxBytes: 1000 }), over);
    assert.equal(await readTextCapped(path, { line: 2, limit: 1, maxBytes: 1000 }), "");
  });
});
