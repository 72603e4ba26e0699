import assert from "node:assert/strict";
import { lastEventSeq, readEventFiles } from "../../specs/eventlog/mod.ts";

Deno.test("event files: segments in order, torn last line ignored", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ev = (seq: number) =>
      JSON.stringify({ runId: "a", seq, time: "t", type: "notice", payload: {} }) + "\n";
    await Deno.writeTextFile(`${dir}/events-000000000000.jsonl`, ev(0) + ev(1));
    await Deno.writeTextFile(
      `${dir}/events-000000000002.jsonl`,
      ev(2) + ev(3) + '{"runId":"a","se',
    );
    const seqs = async (from: number) => {
      const out: number[] = [];
      for await (const e of readEventFiles(dir, from)) out.push(e.seq);
      return out;
    };
    assert.deepEqual(await seqs(0), [0, 1, 2, 3]);
    assert.deepEqual(await seqs(1), [1, 2, 3]);
    assert.deepEqual(await seqs(3), [3]);
    assert.deepEqual(await seqs(9), []);
    assert.equal(await lastEventSeq(dir), 3);
    assert.equal(await lastEventSeq(`${dir}/missing`), -1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
