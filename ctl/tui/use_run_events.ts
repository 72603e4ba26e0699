/**
 * The chat's feed: the session metadata the run started with, then its whole history
 * (replayed from the oldest seq the log still holds) and its live events, batched into the
 * reducer. The watch reconnects and resumes by itself; while it is away the daemon is asked
 * directly whether it is back.
 */
import { type Dispatch, useEffect } from "react";
import type { RunKey } from "../../specs/ari.ts";
import { failureText } from "./failure_text.ts";
import type { AgentRunEvent } from "../../specs/events.ts";
import { oldestSeq } from "../client/oldest_seq.ts";
import type { ChatAction } from "./chat_state.ts";
import type { ChatClient } from "./chat_client.ts";

/** Events are applied in batches at most this often while streaming or replaying. */
const FLUSH_MS = 16;
/** How often a lost daemon is asked whether it is back. */
const PROBE_MS = 1000;

/** Feeds the run's session metadata and events into `dispatch` while mounted. */
export function useRunEvents(client: ChatClient, key: RunKey, dispatch: Dispatch<ChatAction>) {
  const { workspace, name } = key;

  // Model, modes and commands the session started with are not events; ask for them.
  useEffect(() => {
    let live = true;
    client.agentrunStatus(key)
      .then((r) => {
        if (live && r.state.session) dispatch({ type: "session", session: r.state.session });
      })
      // No state yet (still creating): the header fills in from events instead.
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, workspace, name]);

  // History replay, then live events; the watch resumes from the last seq by itself.
  useEffect(() => {
    const ac = new AbortController();
    let buffer: AgentRunEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The watch says when it lost the daemon, not when it is back: ask the daemon directly.
    let probe: ReturnType<typeof setTimeout> | undefined;
    const probeDaemon = async () => {
      try {
        const run = await client.agentrunGet(key);
        probe = undefined;
        if (ac.signal.aborted) return;
        dispatch({ type: "snapshot", run });
        dispatch({ type: "connection", state: "live" });
      } catch {
        if (!ac.signal.aborted) probe = setTimeout(probeDaemon, PROBE_MS);
        else probe = undefined;
      }
    };
    const flush = () => {
      timer = undefined;
      const events = buffer;
      buffer = [];
      dispatch({ type: "events", events });
    };
    (async () => {
      try {
        // The whole history the log still holds (retention may have dropped its start).
        const fromSeq = await oldestSeq(client, key);
        if (ac.signal.aborted) return;
        const events = client.watch({
          ...key,
          fromSeq,
          signal: ac.signal,
          onReconnect: () => {
            if (ac.signal.aborted) return;
            dispatch({ type: "connection", state: "reconnecting" });
            probe ??= setTimeout(probeDaemon, PROBE_MS);
          },
        });
        for await (const ev of events) {
          if (ac.signal.aborted) break;
          buffer.push(ev);
          timer ??= setTimeout(flush, FLUSH_MS);
        }
      } catch (err) {
        if (ac.signal.aborted) return;
        dispatch({ type: "notice", level: "error", text: `watch failed: ${failureText(err)}` });
      }
      if (!ac.signal.aborted) dispatch({ type: "connection", state: "closed" });
    })();
    return () => {
      ac.abort();
      if (timer !== undefined) clearTimeout(timer);
      if (probe !== undefined) clearTimeout(probe);
    };
  }, [client, workspace, name]);
}
