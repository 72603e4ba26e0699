/**
 * `mesh/wait`: a reply to the endpoint's run, taken from its inbox. While the run works on a
 * turn (it is `running`), a message sent to it waits in its durable inbox; this finds the
 * oldest one from the peer asked for and removes it, so the agent gets it as the answer of
 * its tool call rather than as a later prompt. Bounded by the caller's timeout.
 */
import type { RunKey } from "../../specs/ari.ts";
import { delay } from "../../specs/lib/delay.ts";
import {
  MESH_WAIT_DEFAULT_SECONDS,
  type MeshWaitParams,
  type MeshWaitResult,
} from "../../specs/mesh.ts";
import type { InboxEntry } from "../store/inbox.ts";

/** What the wait reads and removes. */
export interface InboxAccess {
  listInbox(key: RunKey): Promise<InboxEntry[]>;
  ackInbox(key: RunKey, seqNo: number): Promise<boolean>;
}

const POLL_MS = 100;

/** Waits for a message from `params.from` in `self`'s inbox and takes it, or times out. */
export async function waitForReply(
  self: RunKey,
  params: MeshWaitParams,
  inbox: InboxAccess,
  signal?: AbortSignal,
): Promise<MeshWaitResult> {
  const seconds = params.timeoutSeconds ?? MESH_WAIT_DEFAULT_SECONDS;
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    for (const entry of await inbox.listInbox(self)) {
      if (entry.from !== params.from) continue;
      // Lost to the run's own delivery (it went idle meanwhile): look again.
      if (await inbox.ackInbox(self, entry.seqNo)) {
        return { received: true, from: entry.from, message: entry.message };
      }
    }
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return { received: false };
    await delay(Math.min(POLL_MS, left), { signal }).catch(() => {});
  }
}
