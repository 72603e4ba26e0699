/**
 * Where a full replay of a run's events can start: its event log may have dropped its oldest
 * segments (spec.eventLog.maxSegments), and a watch from before what is left is refused.
 */
import type { RunKey } from "../../specs/ari.ts";
import type { AriClient } from "./ari_client.ts";

/**
 * The oldest seq the run can still replay: the agent-run's own figure when it answers
 * (`agentrun/status`), else the one recorded on the run, else 0.
 */
export async function oldestSeq(
  client: Pick<AriClient, "agentrunStatus" | "agentrunGet">,
  key: RunKey,
): Promise<number> {
  try {
    const first = (await client.agentrunStatus(key)).state.eventLog?.firstSeq;
    if (first !== undefined) return first;
  } catch {
    // no state yet (or an older daemon): fall back to the run record
  }
  try {
    return (await client.agentrunGet(key)).status?.firstSeq ?? 0;
  } catch {
    return 0;
  }
}
