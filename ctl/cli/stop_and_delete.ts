/**
 * What `--force` deletes do to each agent run: stop it (unless it already ended), wait, delete.
 */
import type { AgentRun, RunKey } from "../../specs/ari.ts";
import type { AriClient } from "../client/ari_client.ts";
import { isTerminalPhase, waitRunTerminal } from "../client/wait.ts";
import { isNotFound } from "./errors.ts";

/** Stops a run unless already stopped, waits, and deletes it; false when it did not exist. */
export async function stopAndDeleteRun(
  client: AriClient,
  key: RunKey,
  worktree: { force?: boolean; deleteBranch?: boolean } = {},
): Promise<boolean> {
  let run: AgentRun;
  try {
    run = await client.agentrunGet(key);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  if (!isTerminalPhase(run.status?.phase)) {
    await client.agentrunStop(key);
    await waitRunTerminal(client, key);
  }
  await client.agentrunDelete({ ...key, ...worktree });
  return true;
}
