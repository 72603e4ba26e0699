import assert from "node:assert/strict";
import type { AgentRunEvent } from "../../specs/events.ts";
import { EventLog, EventLogTruncatedError } from "../../specs/eventlog/mod.ts";
import { type EventDraft, EventHub, type Subscription } from "../../runner/events/event_hub.ts";

function draft(i: number): EventDraft {
  return {
    type: "agent_message",
    sessionId: "s-1",
    turnId: "t-1",
    payload: { status: "streaming", content: { type: "text", text: `m${i}` } },
  };
}

async function withHub(
  opts: { maxQueue?: number; segmentBytes?: number; maxSegments?: number },
  fn: (hub: EventHub, log: EventLog) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mhub" });
  const log = await EventLog.open(`${dir}/events`, opts);
  const hub = new EventHub(log, { runId: "run-1", maxQueue: opts.maxQueue });
  try {
    await fn(hub, log);
  } finally {
    await hub.close();
    await log.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads until `lastSeq` is received or the subscription ends; bounded by a timeout. */
async function collect(sub: Subscription, lastSeq: number, ms = 20_000): Promise<AgentRunEvent[]> {
  const out: AgentRunEvent[] = [];
  const timer = setTimeout(() => sub.close(), ms);
  try {
    while (true) {
      const ev = await sub.next();
      if (!ev) break;
      out.push(ev);
      if (ev.seq >= lastSeq) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

Deno.test("emit stamps seq, time and runId, logs, and counts per type", () =>
  withHub({}, async (hub, log) => {
    const a = await hub.emit(draft(0));
    const b = await hub.emit({
      type: "turn_end",
      turnId: "t-1",
      payload: { stopReason: "end_turn" },
    });
    const c = await hub.emit({
      type: "error",
      time: "2020-01-01T00:00:00.000Z",
      payload: { message: "x" },
    });
    assert.equal(a.seq, 0);
    assert.equal(b.seq, 1);
    assert.equal(a.runId, "run-1");
    assert.match(a.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(c.time, "2020-01-01T00:00:00.000Z");
    assert.ok(!("sessionId" in b) && !("turnId" in c));
    assert.deepEqual(Object.keys(a), [
      "runId",
      "sessionId",
      "seq",
      "time",
      "type",
      "turnId",
      "payload",
    ]);
    assert.equal(hub.lastSeq, 2);
    assert.equal(hub.nextSeq, 3);
    assert.deepEqual(hub.counts(), { agent_message: 1, turn_end: 1, error: 1 });
    const logged: AgentRunEvent[] = [];
    for await (const e of log.read(0)) logged.push(e);
    assert.deepEqual(logged, [a, b, c]);
  }));

Deno.test("a failed append is not fanned out, propagates, and does not consume the seq", () =>
  withHub({}, async (hub) => {
    const sub = hub.subscribe();
    const bad = draft(0);
    (bad.payload as unknown as Record<string, unknown>).n = 1n;
    await assert.rejects(hub.emit(bad), TypeError);
    const ok = await hub.emit(draft(1));
    assert.equal(ok.seq, 0);
    assert.deepEqual(hub.counts(), { agent_message: 1 });
    const got = await sub.next();
    assert.equal(got?.seq, 0);
    assert.equal((got?.payload as { content: { text: string } }).content.text, "m1");
    sub.close();
  }));

Deno.test("subscribers joining while emits run get every seq exactly once, in order", () =>
  withHub({ segmentBytes: 4096 }, async (hub) => {
    const N = 3000;
    const pre = 500;
    for (let i = 0; i < pre; i++) await hub.emit(draft(i));

    const readers: { from: number; done: Promise<AgentRunEvent[]> }[] = [];
    const join = (from: number | undefined) => {
      const sub = hub.subscribe(from);
      // Live only: it starts at the first seq not yet fanned out when it subscribed.
      const start = from ?? sub.liveFrom;
      readers.push({ from: start, done: collect(sub, N - 1).finally(() => sub.close()) });
    };
    const emits: Promise<AgentRunEvent>[] = [];
    for (let i = pre; i < N; i++) {
      const p = hub.emit(draft(i));
      emits.push(p);
      if (i % 250 === 0) {
        join(0);
        join(Math.floor(hub.nextSeq / 2));
        join(hub.nextSeq + 5); // a seq not yet emitted
        join(undefined);
        // Right after an append resolves, before its fan-out continuation runs.
        p.then((ev) => join(ev.seq - 3));
      }
      if (i % 37 === 0) await p;
    }
    await Promise.all(emits);

    assert.equal(readers.length, 50);
    for (const r of readers) {
      const got = (await r.done).map((e) => e.seq);
      assert.deepEqual(got, range(r.from, N), `reader from ${r.from}`);
    }
  }));

Deno.test("a slow consumer is closed, never blocks emit, keeps what it buffered, and resumes", () =>
  withHub({ maxQueue: 8 }, async (hub) => {
    const slow = hub.subscribe();
    const fast = hub.subscribe(0);
    const fastDone = collect(fast, 19);
    for (let i = 0; i < 20; i++) await hub.emit(draft(i));
    assert.equal(slow.closedReason, "slow consumer");
    assert.equal(fast.closedReason, undefined);
    assert.deepEqual((await fastDone).map((e) => e.seq), range(0, 20));
    fast.close();

    // What was buffered before the overflow is still delivered, then the end.
    const drained = await collect(slow, Infinity);
    assert.deepEqual(drained.map((e) => e.seq), range(0, 8));
    assert.equal(await slow.next(), undefined);

    const resumed = hub.subscribe(drained.at(-1)!.seq + 1);
    const rest = collect(resumed, 24);
    for (let i = 20; i < 25; i++) await hub.emit(draft(i));
    assert.deepEqual((await rest).map((e) => e.seq), range(8, 25));
    resumed.close();
  }));

Deno.test("a replay longer than maxQueue is fine; live events piling up during it are not", () =>
  withHub({ maxQueue: 4 }, async (hub) => {
    for (let i = 0; i < 50; i++) await hub.emit(draft(i));
    const sub = hub.subscribe(0);
    assert.deepEqual((await collect(sub, 49)).map((e) => e.seq), range(0, 50));
    sub.close();

    const lagging = hub.subscribe(0);
    for (let i = 50; i < 60; i++) await hub.emit(draft(i));
    assert.equal(lagging.closedReason, "slow consumer");
    assert.deepEqual((await collect(lagging, Infinity)).map((e) => e.seq), range(0, 54));
  }));

Deno.test("close() ends a subscription at once, also in the middle of a replay", () =>
  withHub({}, async (hub) => {
    for (let i = 0; i < 20; i++) await hub.emit(draft(i));
    const sub = hub.subscribe(0);
    assert.equal((await sub.next())?.seq, 0);
    sub.close();
    assert.equal(sub.closedReason, "closed");
    assert.equal(await sub.next(), undefined);
    await hub.emit(draft(20));
    assert.equal(await sub.next(), undefined);

    const waiting = hub.subscribe();
    const pending = waiting.next();
    waiting.close();
    assert.equal(await pending, undefined);
  }));

Deno.test("hub.close() ends every subscription, including a pending next()", () =>
  withHub({}, async (hub) => {
    await hub.emit(draft(0));
    const live = hub.subscribe();
    const replaying = hub.subscribe(0);
    const pending = live.next();
    await hub.close();
    assert.equal(await pending, undefined);
    assert.equal(live.closedReason, "hub closed");
    assert.equal(await replaying.next(), undefined);
    await assert.rejects(hub.emit(draft(1)));
    assert.equal(hub.subscribe(0).closedReason, "hub closed");
  }));

Deno.test("subscribing before the oldest retained event rejects next() with the log's error", () =>
  withHub({ segmentBytes: 500, maxSegments: 2 }, async (hub) => {
    for (let i = 0; i < 40; i++) await hub.emit(draft(i));
    assert.ok(hub.firstSeq > 0);
    const sub = hub.subscribe(0);
    await assert.rejects(sub.next(), EventLogTruncatedError);
    assert.match(sub.closedReason ?? "", /^replay failed: /);
    assert.equal(await sub.next(), undefined);

    const ok = hub.subscribe(hub.firstSeq);
    assert.deepEqual((await collect(ok, 39)).map((e) => e.seq), range(hub.firstSeq, 40));
    ok.close();
  }));

Deno.test("subscribe rejects a negative or fractional fromSeq", () =>
  withHub({}, (hub) => {
    assert.throws(() => hub.subscribe(-1), /fromSeq/);
    assert.throws(() => hub.subscribe(1.5), /fromSeq/);
    return Promise.resolve();
  }));

Deno.test("a second hub on a reopened log continues the sequence", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mhub" });
  try {
    let log = await EventLog.open(`${dir}/events`);
    let hub = new EventHub(log, { runId: "r" });
    for (let i = 0; i < 5; i++) await hub.emit(draft(i));
    await hub.close();
    await log.close();

    log = await EventLog.open(`${dir}/events`);
    hub = new EventHub(log, { runId: "r" });
    const sub = hub.subscribe(3);
    const got = collect(sub, 6);
    await hub.emit(draft(5));
    await hub.emit(draft(6));
    assert.deepEqual((await got).map((e) => e.seq), [3, 4, 5, 6]);
    assert.deepEqual(hub.counts(), { agent_message: 2 });
    sub.close();
    await hub.close();
    await log.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
