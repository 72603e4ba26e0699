/**
 * `massctl agentrun events`: replay a run's log up to now, or follow it.
 */
import type { RunKey } from "../../../specs/ari.ts";
import type { AgentRunEvent } from "../../../specs/events.ts";
import { oldestSeq } from "../../client/oldest_seq.ts";
import type { App } from "../app.ts";
import { formatEventLine } from "../event_format.ts";
import { toYaml } from "../to_yaml.ts";

export interface EventsOptions {
  /** Absent: from the oldest retained event. */
  fromSeq?: number;
  follow: boolean;
  format: "table" | "json" | "yaml";
}

/** Without the lastSeq hint, a replay is over after this long without an event. */
const REPLAY_IDLE_MS = 1_000;
/** With the hint, a safety net in case the last event never comes. */
const REPLAY_SAFETY_IDLE_MS = 5_000;

/** Replays a run's events (and follows them with `follow`) in the chosen format. */
export async function printEvents(app: App, key: RunKey, opts: EventsOptions) {
  const client = await app.client();
  const run = await client.agentrunGet(key);
  const lastSeq = run.status?.lastSeq;
  const fromSeq = opts.fromSeq ?? await oldestSeq(client, key);
  if (!opts.follow && lastSeq !== undefined && lastSeq < fromSeq) return;

  const abort = new AbortController();
  let idle: ReturnType<typeof setTimeout> | undefined;
  const armIdle = () => {
    if (opts.follow) return;
    clearTimeout(idle);
    idle = setTimeout(
      () => abort.abort(),
      lastSeq === undefined ? REPLAY_IDLE_MS : REPLAY_SAFETY_IDLE_MS,
    );
  };
  armIdle();
  try {
    for await (const ev of client.watch({ ...key, fromSeq, signal: abort.signal })) {
      app.out(formatEvent(ev, opts.format));
      if (!opts.follow && lastSeq !== undefined && ev.seq >= lastSeq) break;
      armIdle();
    }
  } finally {
    clearTimeout(idle);
    abort.abort();
  }
}

function formatEvent(ev: AgentRunEvent, format: EventsOptions["format"]): string {
  const { watchId: _w, ...envelope } = ev as AgentRunEvent & { watchId?: string };
  switch (format) {
    case "json":
      return JSON.stringify(envelope) + "\n";
    case "yaml":
      return "---\n" + toYaml(envelope);
    default:
      return formatEventLine(ev) + "\n";
  }
}
