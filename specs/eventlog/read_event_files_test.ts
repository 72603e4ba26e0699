import assert from "node:assert/strict";
import { assertRetained } from "./assert_retained.ts";
import { EventLogCorruptError, EventLogTruncatedError } from "./errors.ts";
import { eventFileStats } from "./event_file_stats.ts";
import { lastEventSeq } from "./last_event_seq.ts";
import { readEventFiles } from "./read_event_files.ts";
import { segmentFileName } from "./segments.ts";

const line = (seq: number) =>
  JSON.stringify({ runId: "a", seq, time: "t", type: "notice", payload: {} }) + "\n";

async function withLog(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "mass-eventfiles-" });
  try {
    await Deno.writeTextFile(`${dir}/${segmentFileName(2)}`, line(2) + line(3));
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4) + line(5) + '{"runId":"a"');
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function seqs(dir: string, from: number, clamp = false): Promise<number[]> {
  const out: number[] = [];
  for await (const ev of readEventFiles(dir, from, { clamp })) out.push(ev.seq);
  return out;
}

Deno.test("readEventFiles: in order across segments, stops at a torn last line", async () => {
  await withLog(async (dir) => {
    assert.deepEqual(await seqs(dir, 2), [2, 3, 4, 5]);
    assert.deepEqual(await seqs(dir, 4), [4, 5]);
    assert.deepEqual(await seqs(dir, 9), []);
    assert.deepEqual(await seqs(`${dir}/missing`, 0), []);
  });
});

Deno.test("readEventFiles: a seq older than the oldest segment is refused unless clamped", async () => {
  await withLog(async (dir) => {
    await assert.rejects(seqs(dir, 0), (err: Error) => {
      assert.ok(err instanceof EventLogTruncatedError);
      assert.equal(err.message, "events before seq 2 are no longer retained (fromSeq 0)");
      return true;
    });
    assert.deepEqual(await seqs(dir, 0, true), [2, 3, 4, 5]);
  });
});

Deno.test("readEventFiles: a bad last line ends the replay quietly", async () => {
  await withLog(async (dir) => {
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4) + line(5) + "[]\n");
    assert.deepEqual(await seqs(dir, 2), [2, 3, 4, 5]);
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4) + line(5) + line(9));
    assert.deepEqual(await seqs(dir, 2), [2, 3, 4, 5]);
  });
});

Deno.test("readEventFiles: a bad line in the middle is reported with its seq", async () => {
  await withLog(async (dir) => {
    const corrupt = (seq: number) => (err: Error) => {
      assert.ok(err instanceof EventLogCorruptError, String(err));
      assert.equal(err.seq, seq);
      return true;
    };
    const got: number[] = [];
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4) + "[]\n" + line(5));
    await assert.rejects(async () => {
      for await (const ev of readEventFiles(dir, 2)) got.push(ev.seq);
    }, corrupt(5));
    assert.deepEqual(got, [2, 3, 4], "what precedes the bad line is delivered");
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4) + line(6) + line(7));
    await assert.rejects(seqs(dir, 2), corrupt(5));
    // Damage before fromSeq is stepped over when the sequence picks up again by then.
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4) + "[]\n" + line(6) + line(7));
    assert.deepEqual(await seqs(dir, 6), [6, 7]);
    await assert.rejects(seqs(dir, 5), corrupt(5));
    // A bad last line of a segment that is not the newest is damage too.
    await Deno.writeTextFile(`${dir}/${segmentFileName(2)}`, line(2) + "{oops\n");
    await Deno.writeTextFile(`${dir}/${segmentFileName(4)}`, line(4));
    await assert.rejects(seqs(dir, 2), corrupt(3));
  });
});

Deno.test("lastEventSeq, eventFileStats, assertRetained read the same directory", async () => {
  await withLog(async (dir) => {
    assert.equal(await lastEventSeq(dir), 5);
    assert.equal(await lastEventSeq(`${dir}/missing`), -1);
    const stats = await eventFileStats(dir);
    assert.equal(stats.segments, 2);
    assert.equal(stats.firstSeq, 2);
    assert.equal(stats.bytes, 4 * line(0).length + '{"runId":"a"'.length);
    assert.deepEqual(await eventFileStats(`${dir}/missing`), { bytes: 0, segments: 0 });
    await assertRetained(dir, undefined);
    await assertRetained(dir, 2);
    await assert.rejects(assertRetained(dir, 1), EventLogTruncatedError);
  });
});
