import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { AgentRunEvent } from "../../specs/events.ts";
import { deadline } from "../support/wait.ts";
import {
  EventLog,
  EventLogCorruptError,
  EventLogStateError,
  EventLogTruncatedError,
  segmentFileName,
} from "../../specs/eventlog/mod.ts";

function ev(seq: number, text = `event ${seq}`): AgentRunEvent {
  return {
    runId: "run-1",
    sessionId: "s-1",
    seq,
    time: "2025-01-01T00:00:00.000Z",
    type: "agent_message",
    turnId: "t-1",
    payload: { status: "streaming", content: { type: "text", text } },
  };
}

async function appendN(log: EventLog, n: number, text?: (seq: number) => string): Promise<void> {
  for (let i = 0; i < n; i++) await log.append(ev(log.nextSeq, text?.(log.nextSeq)));
}

async function readAll(log: EventLog, from = 0, to?: number): Promise<AgentRunEvent[]> {
  const out: AgentRunEvent[] = [];
  for await (const e of log.read(from, to)) out.push(e);
  return out;
}

function seqs(events: AgentRunEvent[]): number[] {
  return events.map((e) => e.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mev" });
  try {
    await fn(`${dir}/events`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("append, read and reopen continue the sequence", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    assert.equal(log.nextSeq, 0);
    assert.equal(log.lastSeq, -1);
    assert.deepEqual(await readAll(log), []);
    await appendN(log, 10);
    assert.equal(log.lastSeq, 9);
    const all = await readAll(log);
    assert.deepEqual(all, range(0, 10).map((s) => ev(s)));
    assert.deepEqual(seqs(await readAll(log, 4, 7)), [4, 5, 6]);
    await log.close();

    const again = await EventLog.open(dir);
    assert.equal(again.nextSeq, 10);
    assert.equal(again.firstSeq, 0);
    await appendN(again, 5);
    assert.deepEqual(seqs(await readAll(again)), range(0, 15));
    assert.deepEqual(again.segmentFiles, [segmentFileName(0)]);
    await again.close();
  }));

Deno.test("append rejects a wrong seq and an unserialisable event without consuming a seq", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    await assert.rejects(log.append(ev(1)), EventLogStateError);
    const bad = ev(0);
    (bad.payload as unknown as Record<string, unknown>).n = 1n;
    await assert.rejects(log.append(bad), TypeError);
    assert.equal(log.nextSeq, 0);
    await log.append(ev(0));
    assert.deepEqual(seqs(await readAll(log)), [0]);
    await log.close();
    await assert.rejects(log.append(ev(1)), EventLogStateError);
  }));

Deno.test("a read is a snapshot: later appends are not part of it", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    await appendN(log, 3);
    const snapshot = log.read(0);
    await appendN(log, 3);
    const got: number[] = [];
    for await (const e of snapshot) got.push(e.seq);
    assert.deepEqual(got, [0, 1, 2]);
    await log.close();
  }));

Deno.test("open cuts a torn last line and appends continue after it", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    await appendN(log, 5);
    await log.close();
    const path = `${dir}/${segmentFileName(0)}`;
    const good = (await Deno.stat(path)).size;
    const torn = JSON.stringify(ev(5)).slice(0, 30);
    await Deno.writeTextFile(path, torn, { append: true });

    const again = await EventLog.open(dir);
    assert.equal(again.nextSeq, 5);
    assert.equal((await Deno.stat(path)).size, good);
    await appendN(again, 2);
    assert.deepEqual(seqs(await readAll(again)), range(0, 7));
    await again.close();
  }));

Deno.test("open cuts one invalid complete last line, but refuses deeper damage", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    await appendN(log, 3);
    await log.close();
    const path = `${dir}/${segmentFileName(0)}`;
    await Deno.writeTextFile(path, '{"not":"an event"}\n', { append: true });
    const again = await EventLog.open(dir);
    assert.equal(again.nextSeq, 3);
    await again.close();

    await Deno.writeTextFile(path, "garbage\n\0\0\0\n", { append: true });
    await assert.rejects(EventLog.open(dir), EventLogCorruptError);
  }));

Deno.test("a log holding only a torn line reopens empty", () =>
  withDir(async (dir) => {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/${segmentFileName(0)}`, '{"runId":"r","seq":0,"ti');
    const log = await EventLog.open(dir);
    assert.equal(log.nextSeq, 0);
    await appendN(log, 2);
    assert.deepEqual(seqs(await readAll(log)), [0, 1]);
    await log.close();
  }));

Deno.test("an empty newest segment (crash right after rotation) takes its seq from its name", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    await appendN(log, 5);
    await log.close();
    await Deno.writeFile(`${dir}/${segmentFileName(5)}`, new Uint8Array());
    const again = await EventLog.open(dir);
    assert.equal(again.nextSeq, 5);
    await appendN(again, 2);
    assert.deepEqual(seqs(await readAll(again)), range(0, 7));
    assert.deepEqual(again.segmentFiles, [segmentFileName(0), segmentFileName(5)]);
    await again.close();
  }));

Deno.test("corruption in the middle makes read throw, never stop quietly", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir);
    await appendN(log, 10);
    await log.close();
    const path = `${dir}/${segmentFileName(0)}`;
    const original = await Deno.readTextFile(path);
    const lines = original.split("\n");

    // A damaged line: cut short, as a lost write would leave it.
    lines[4] = lines[4].slice(0, 40);
    await Deno.writeTextFile(path, lines.join("\n"));
    let reopened = await EventLog.open(dir);
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const e of reopened.read(0)) got.push(e.seq);
    }, EventLogCorruptError);
    assert.deepEqual(got, [0, 1, 2, 3]);
    await reopened.close();

    // A missing line: a gap in seq.
    const gap = original.split("\n");
    gap.splice(6, 1);
    await Deno.writeTextFile(path, gap.join("\n"));
    reopened = await EventLog.open(dir);
    await assert.rejects(readAll(reopened, 2), /seq 7, expected 6/);
    await reopened.close();
  }));

Deno.test("segments rotate, replay spans them, and reads start in the right segment", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir, { segmentBytes: 600 });
    await appendN(log, 60);
    const files = log.segmentFiles;
    assert.ok(files.length > 5, `expected several segments, got ${files.length}`);
    // Each segment's name is the seq of its first line; no segment is far over the bound.
    for (const name of files) {
      const text = await Deno.readTextFile(`${dir}/${name}`);
      const first = JSON.parse(text.slice(0, text.indexOf("\n")));
      assert.equal(segmentFileName(first.seq), name);
      assert.ok(text.length < 600 + 300);
    }
    assert.deepEqual(seqs(await readAll(log)), range(0, 60));
    assert.deepEqual(seqs(await readAll(log, 37)), range(37, 60));
    assert.deepEqual(seqs(await readAll(log, 13, 29)), range(13, 29));
    await log.close();

    const again = await EventLog.open(dir, { segmentBytes: 600 });
    assert.equal(again.nextSeq, 60);
    await appendN(again, 10);
    assert.deepEqual(seqs(await readAll(again)), range(0, 70));
    await again.close();
  }));

Deno.test("maxSegments removes the oldest segments; reading before them is an error", () =>
  withDir(async (dir) => {
    const log = await EventLog.open(dir, { segmentBytes: 600, maxSegments: 3 });
    await appendN(log, 60);
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), log.segmentFiles);
    assert.equal(names.length, 3);
    assert.ok(log.firstSeq > 0);
    assert.equal(segmentFileName(log.firstSeq), names[0]);
    await assert.rejects(readAll(log, 0), EventLogTruncatedError);
    assert.deepEqual(seqs(await readAll(log, log.firstSeq)), range(log.firstSeq, 60));
    await log.close();

    // Lowering the bound takes effect at the next open.
    const again = await EventLog.open(dir, { segmentBytes: 600, maxSegments: 1 });
    assert.deepEqual(again.segmentFiles, [names[2]]);
    assert.equal((await Array.fromAsync(Deno.readDir(dir))).length, 1);
    assert.deepEqual(seqs(await readAll(again, again.firstSeq)), range(again.firstSeq, 60));
    await again.close();
  }));

Deno.test("stats: bytes, segments and range follow rotation, retention and reopen", () =>
  withDir(async (dir) => {
    const onDisk = async () => {
      let bytes = 0;
      for await (const e of Deno.readDir(dir)) bytes += (await Deno.stat(`${dir}/${e.name}`)).size;
      return bytes;
    };
    const log = await EventLog.open(dir, { segmentBytes: 600, maxSegments: 3 });
    assert.deepEqual(log.stats(), { bytes: 0, segments: 0, firstSeq: 0, lastSeq: -1 });
    await appendN(log, 2);
    assert.deepEqual(log.stats(), { bytes: await onDisk(), segments: 1, firstSeq: 0, lastSeq: 1 });
    await appendN(log, 58);
    const full = log.stats();
    assert.deepEqual(full, {
      bytes: await onDisk(),
      segments: 3,
      firstSeq: log.firstSeq,
      lastSeq: 59,
    });
    assert.ok(full.firstSeq > 0);
    await log.close();

    // Reopened, sealed segments are sized from the files.
    const again = await EventLog.open(dir, { segmentBytes: 600, maxSegments: 2 });
    assert.deepEqual(again.stats(), {
      bytes: await onDisk(),
      segments: 2,
      firstSeq: again.firstSeq,
      lastSeq: 59,
    });
    assert.ok(again.firstSeq > full.firstSeq);
    await appendN(again, 20);
    assert.equal(again.stats().bytes, await onDisk());
    await again.close();
  }));

Deno.test("a line over 1 MiB round-trips, also as the last line at reopen", () =>
  withDir(async (dir) => {
    const big = "abcdefghij".repeat(150_000) + "é✓"; // 1.5 MB plus multi-byte text
    const log = await EventLog.open(dir);
    await log.append(ev(0));
    await log.append(ev(1, big));
    await log.close();

    const again = await EventLog.open(dir);
    assert.equal(again.nextSeq, 2);
    await again.append(ev(2));
    const all = await readAll(again);
    assert.deepEqual(all, [ev(0), ev(1, big), ev(2)]);
    await again.close();
  }));

Deno.test({
  name: "SIGKILL during appends leaves a log that reopens valid and contiguous",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "mev" });
    const dir = `${root}/events`;
    const writer = fromFileUrl(new URL("./fixtures/event_log_writer.ts", import.meta.url));
    const config = fromFileUrl(new URL("../../deno.json", import.meta.url));
    try {
      let before = 0;
      for (let round = 0; round < 4; round++) {
        const child = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--quiet",
            `--config=${config}`,
            `--allow-read=${root}`,
            `--allow-write=${root}`,
            writer,
            dir,
            String(2 * 1024 * 1024),
          ],
          stdin: "null",
          stdout: "piped",
          stderr: "inherit",
        }).spawn();
        try {
          await deadline(waitForLine(child.stdout, "ready"), 30_000, "writer ready");
          await delay(round * 7);
        } finally {
          child.kill("SIGKILL");
          await deadline(child.status, 10_000, "writer exit");
        }
        const log = await EventLog.open(dir, { segmentBytes: 2 * 1024 * 1024 });
        assert.ok(log.nextSeq > before + 20, `round ${round}: ${log.nextSeq} after ${before}`);
        let expected = 0;
        for await (const e of log.read(0)) assert.equal(e.seq, expected++);
        assert.equal(expected, log.nextSeq);
        before = log.nextSeq;
        await log.close();
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForLine(stream: ReadableStream<Uint8Array>, want: string): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (!text.split("\n").includes(want)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before "${want}"`);
      text += value;
    }
  } finally {
    await reader.cancel();
  }
}
