/**
 * Processes an agent-run left behind: an agent-run still serving a bundle (orphaned somehow)
 * and the agent's own group when its agent-run died without taking it along.
 */
import type { AgentRun } from "../../specs/ari.ts";
import type { RuntimeState } from "../../specs/runtime.ts";
import { type BundlePaths, readConfig, readState } from "./bundle.ts";
import { agentNeedle, killAgentGroup, pidMatches, signalGroup, waitPidGone } from "./spawn.ts";

/** An agent-run still serving this bundle (orphaned somehow) is stopped before a new one. */
export async function clearLeftover(
  paths: BundlePaths,
  run: AgentRun,
): Promise<void> {
  const state = await readState(paths);
  for (const pid of [state?.runnerPid, run.status.pid]) {
    if (pid && pidMatches(pid, paths.dir)) {
      signalGroup(pid, "SIGKILL");
      await waitPidGone(pid, 2_000);
    }
  }
  await killLeftoverAgent(paths, state);
}

/** The agent's own group, when its agent-run died without taking it along. */
export async function killLeftoverAgent(
  paths: BundlePaths,
  state: RuntimeState | undefined,
): Promise<void> {
  if (!state?.pid || state.exitSignal || typeof state.exitCode === "number") return;
  const config = await readConfig(paths);
  if (!config) return;
  await killAgentGroup(state.pid, agentNeedle(config.process.command, config.process.args));
}
