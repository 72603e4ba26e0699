/** Event-log replay speed: events/s reading a 100k-event log from seq 0 (mass only). */
import { EventLog } from "../../../specs/eventlog/mod.ts";

/** Writes `events` agent_message events into a temp log, then times reading them all back. */
export async function eventLogReplay(
  events = 100_000,
): Promise<{ events: number; eventsPerSecond: number }> {
  const dir = await Deno.makeTempDir({ prefix: "mbench" });
  try {
    const log = await EventLog.open(dir, { segmentBytes: 4 * 1024 * 1024 });
    const text = "token ".repeat(20);
    for (let seq = 0; seq < events; seq++) {
      await log.append({
        runId: "bench",
        sessionId: "s",
        seq,
        time: new Date().toISOString(),
        type: "agent_message",
        turnId: "t",
        payload: { status: "streaming", content: { type: "text", text } },
      });
    }
    const t0 = performance.now();
    let n = 0;
    for await (const _ of log.read(0)) n++;
    const secs = (performance.now() - t0) / 1000;
    await log.close();
    return { events: n, eventsPerSecond: Math.round(n / secs) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
