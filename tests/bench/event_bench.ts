/**
 * Event pipeline throughput: `deno bench --allow-all tests/bench/event_bench.ts`.
 * Each bench handles a fixed batch of events; events/s = batch / reported time per iteration.
 * Target: replay of a 100k-event log at >= 100k events/s.
 */
import type { AgentRunEvent } from "../../specs/events.ts";
import { EventLog } from "../../specs/eventlog/mod.ts";
import { type EventDraft, EventHub } from "../../runner/events/event_hub.ts";
import { Translator } from "../../runner/events/translator.ts";

const APPEND_BATCH = 10_000;
const REPLAY_EVENTS = 100_000;
const HUB_BATCH = 10_000;

const root = await Deno.makeTempDir({ prefix: "mbench" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

function event(seq: number): AgentRunEvent {
  return {
    runId: "bench-run",
    sessionId: "0f6a1c1e-3f0e-4a55-9a0e-9d1b8c1e2f3a",
    seq,
    time: new Date().toISOString(),
    type: "agent_message",
    turnId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    payload: { status: "streaming", content: { type: "text", text: "token ".repeat(20) } },
  };
}

const draft: EventDraft = {
  type: "agent_message",
  sessionId: "0f6a1c1e-3f0e-4a55-9a0e-9d1b8c1e2f3a",
  turnId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  payload: { status: "streaming", content: { type: "text", text: "token ".repeat(20) } },
};

// A 100k-event log in 4 MiB segments, written once for the replay bench.
const replayDir = `${root}/replay`;
{
  const log = await EventLog.open(replayDir, { segmentBytes: 4 * 1024 * 1024 });
  for (let i = 0; i < REPLAY_EVENTS; i++) await log.append(event(i));
  await log.close();
}
const replayLog = await EventLog.open(replayDir, { segmentBytes: 4 * 1024 * 1024 });

let run = 0;

Deno.bench(`append ${APPEND_BATCH} events`, { group: "log", n: 10 }, async (b) => {
  const log = await EventLog.open(`${root}/append-${run++}`);
  b.start();
  for (let i = 0; i < APPEND_BATCH; i++) await log.append(event(i));
  b.end();
  await log.close();
});

Deno.bench(`replay ${REPLAY_EVENTS} events`, { group: "log", n: 5 }, async () => {
  let n = 0;
  for await (const _ of replayLog.read(0)) n++;
  if (n !== REPLAY_EVENTS) throw new Error(`replayed ${n}`);
});

Deno.bench(`hub emit -> subscriber, ${HUB_BATCH} events`, { n: 10 }, async (b) => {
  const log = await EventLog.open(`${root}/hub-${run++}`);
  const hub = new EventHub(log, { runId: "bench-run", maxQueue: HUB_BATCH + 1 });
  const sub = hub.subscribe();
  b.start();
  const reader = (async () => {
    for (let n = 0; n < HUB_BATCH; n++) if (!await sub.next()) throw new Error("ended early");
  })();
  for (let i = 0; i < HUB_BATCH; i++) await hub.emit(draft);
  await reader;
  b.end();
  sub.close();
  await hub.close();
  await log.close();
});

Deno.bench(`translate ${HUB_BATCH} chunks`, { n: 20 }, () => {
  const tr = new Translator({ sessionId: "s" });
  tr.beginTurn("user");
  const update = { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "tok" } };
  for (let i = 0; i < HUB_BATCH; i++) tr.translate(update);
  tr.endTurn("end_turn");
});
