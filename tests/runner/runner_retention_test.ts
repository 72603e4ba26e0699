/**
 * Event log retention on a real agent-run: small segments with `eventMaxSegments` keep only the
 * newest segments on disk; runtime/status and state.json report the log's size and replayable
 * range; a watch from the oldest retained seq replays, one from before it gets -32602.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { errorCode } from "../../specs/errors.ts";
import { RunnerMethods } from "../../specs/runner_rpc.ts";
import type { EventLogInfo } from "../../specs/runtime.ts";
import { until } from "../support/wait.ts";
import {
  EventCollector,
  readState,
  Runner,
  seqProblems,
  status,
  text,
  waitForPhase,
  withIdleRunner,
} from "./harness.ts";

const SEGMENT_BYTES = 4096;

/** Segment files of `dir`, oldest first, with their first seq and size. */
async function segments(dir: string): Promise<{ name: string; firstSeq: number; size: number }[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) {
    const m = /^events-(\d+)\.jsonl$/.exec(e.name);
    if (m) {
      out.push({
        name: e.name,
        firstSeq: Number(m[1]),
        size: (await Deno.stat(join(dir, e.name))).size,
      });
    }
  }
  return out.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** The log as the files show it, in the shape runtime/status reports. */
async function onDisk(dir: string, lastSeq: number, maxSegments: number): Promise<EventLogInfo> {
  const segs = await segments(dir);
  return {
    bytes: segs.reduce((sum, s) => sum + s.size, 0),
    segments: segs.length,
    firstSeq: segs[0].firstSeq,
    lastSeq,
    maxSegments,
  };
}

function notRetained(firstSeq: number): (err: unknown) => boolean {
  return (err) =>
    errorCode(err) === -32602 &&
    (err as Error).message.includes(`events before seq ${firstSeq} are no longer retained`);
}

Deno.test("retention keeps the newest segments; status, state.json and watches agree", async () => {
  await withIdleRunner({
    runtime: { eventSegmentBytes: SEGMENT_BYTES, eventMaxSegments: 2 },
  }, async ({ bundle, peer }) => {
    const eventsDir = join(bundle.dir, "events");
    const res = await peer.request<{ stopReason: string }>(
      RunnerMethods.prompt,
      text("chunks 200 100"),
      { timeoutMs: 30_000 },
    );
    assert.equal(res.stopReason, "end_turn");
    const idle = await waitForPhase(peer, "idle");

    // 200 chunks of ~300 bytes are ~15 segments of 4 KiB: only the newest 2 are left.
    const segs = await segments(eventsDir);
    assert.equal(segs.length, 2, JSON.stringify(segs));
    const firstSeq = segs[0].firstSeq;
    assert.ok(firstSeq > 100, `oldest retained seq ${firstSeq}`);
    assert.ok(segs[0].size >= SEGMENT_BYTES, "the older segment was sealed full");

    const st = await status(peer);
    const lastSeq = st.recovery.lastSeq;
    assert.equal(lastSeq, idle.recovery.lastSeq);
    assert.deepEqual(st.state.eventLog, await onDisk(eventsDir, lastSeq, 2));

    // state.json has the log as of its last write: the idle phase is written just before
    // the idle event is appended, so it may miss that last event.
    const written = await until("state.json written idle", async () => {
      const s = await readState(bundle);
      return s.phase === "idle" ? s : undefined;
    });
    const saved = written.eventLog!;
    assert.equal(saved.firstSeq, firstSeq);
    assert.equal(saved.segments, 2);
    assert.equal(saved.maxSegments, 2);
    assert.ok(saved.lastSeq >= lastSeq - 1 && saved.lastSeq <= lastSeq, `${saved.lastSeq}`);
    assert.ok(saved.bytes > SEGMENT_BYTES && saved.bytes <= st.state.eventLog!.bytes);

    // From the oldest retained seq: everything up to the last seq, once, in order.
    const fromFirst = await EventCollector.watch(bundle.socket, firstSeq, { resume: false });
    try {
      await fromFirst.waitFor((e) => e.seq === lastSeq, 20_000, "replay to the last seq");
      assert.equal(seqProblems(fromFirst.events, firstSeq), undefined);
    } finally {
      fromFirst.close();
    }

    // From before it: refused, naming the oldest seq that is left.
    for (const from of [0, firstSeq - 1]) {
      await assert.rejects(
        peer.request(RunnerMethods.watchEvent, { watchId: `old-${from}`, fromSeq: from }),
        notRetained(firstSeq),
      );
    }
  });
});

Deno.test("a lower eventMaxSegments applies at the next start; bytes are counted from the files", async () => {
  let firstBefore = -1;
  await withIdleRunner({
    runtime: { eventSegmentBytes: SEGMENT_BYTES, eventMaxSegments: 0 },
  }, async ({ bundle, peer, runner }) => {
    await peer.request(RunnerMethods.prompt, text("chunks 100 100"), { timeoutMs: 30_000 });
    const st = (await waitForPhase(peer, "idle")).state.eventLog!;
    // Keep all: nothing was removed.
    assert.equal(st.firstSeq, 0);
    assert.equal(st.maxSegments, 0);
    assert.ok(st.segments > 3, `segments: ${st.segments}`);
    firstBefore = st.firstSeq;

    // (withIdleRunner's own stop at the end then finds this agent-run gone, exit 0.)
    assert.equal((await runner.stop(peer)).code, 0);
    const config = structuredClone(bundle.config);
    config.runtime = { ...config.runtime, eventMaxSegments: 1 };
    await bundle.writeConfig(config);

    const again = new Runner(bundle);
    try {
      const peer2 = await again.dial();
      try {
        const after = (await waitForPhase(peer2, "idle")).state.eventLog!;
        const eventsDir = join(bundle.dir, "events");
        assert.deepEqual(after, await onDisk(eventsDir, after.lastSeq, 1));
        assert.equal(after.segments, 1);
        assert.ok(after.firstSeq > firstBefore);
        await assert.rejects(
          peer2.request(RunnerMethods.watchEvent, { watchId: "w", fromSeq: 0 }),
          notRetained(after.firstSeq),
        );
      } finally {
        await again.stop(peer2);
        peer2.close();
      }
    } finally {
      await again.kill();
      await again.stderr;
    }
  });
});
