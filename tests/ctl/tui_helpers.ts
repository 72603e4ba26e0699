/** Rendering and event fixtures shared by the TUI tests. */
import { render } from "ink-testing-library";
import type { ReactElement } from "react";
import type { AgentRunEvent, EventPayloads, EventType } from "../../specs/events.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The last frame of a rendered app, without colours. */
export function plainFrame(r: { lastFrame(): string | undefined }): string {
  return (r.lastFrame() ?? "").replace(ANSI, "");
}

/** Renders, returns the plain last frame, and unmounts (ink keeps timers while mounted). */
export async function frame(node: ReactElement): Promise<string> {
  const r = render(node);
  const out = plainFrame(r);
  r.unmount();
  r.cleanup();
  // Let ink's unmount-time writes and throttle timers settle.
  await new Promise((res) => setTimeout(res, 0));
  return out;
}

/** Builds a stream of envelopes with consecutive seqs. */
export function stream(startSeq = 0) {
  let seq = startSeq;
  return <T extends EventType>(
    type: T,
    payload: EventPayloads[T],
    turnId?: string,
  ): AgentRunEvent =>
    ({
      runId: "r",
      sessionId: "s1",
      seq: seq++,
      time: new Date(0).toISOString(),
      type,
      turnId,
      payload,
    }) as AgentRunEvent;
}
