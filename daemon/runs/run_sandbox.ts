/**
 * The sandbox of one run, as agentd decides it: the agent's `spec.sandbox` narrowed by the
 * run's, `auto` resolved by this daemon's probe, and the host paths the views need. Errors
 * carry their ARI code: widening -32602, `bwrap` where it cannot work -32001.
 */
import type { Agent, AgentRun } from "../../specs/ari.ts";
import { ConflictError, InvalidParamsError } from "../../specs/errors.ts";
import type { McpServer } from "../../specs/runtime.ts";
import type { RuntimeSandbox } from "../../specs/sandbox.ts";
import {
  applySandbox,
  MASS_LOCATION,
  narrowSandbox,
  runtimeSandbox,
  SandboxPolicyError,
  type SandboxProbe,
} from "../../runner/launch/mod.ts";

function _toAriError(err: unknown): unknown {
  if (!(err instanceof SandboxPolicyError)) return err;
  return err.kind === "invalid"
    ? new InvalidParamsError(err.message)
    : new ConflictError(err.message);
}

/**
 * Checks at agentrun/create that the run's sandbox can be had here; throws
 * InvalidParamsError or ConflictError (with the reason) when not.
 */
export async function checkRunSandbox(
  probe: SandboxProbe,
  agent: Pick<Agent, "spec"> | undefined,
  run: Pick<AgentRun, "spec">,
): Promise<void> {
  if (!agent) return; // the store reports the missing agent
  try {
    applySandbox(narrowSandbox(agent.spec.sandbox, run.spec.sandbox), await probe.detect());
  } catch (err) {
    throw _toAriError(err);
  }
}

/** config.json's `sandbox` for a start of `run` with `agent`. */
export async function runSandbox(
  probe: SandboxProbe,
  agent: Agent,
  run: AgentRun,
  opts: {
    pathEnv?: string;
    mcpServers?: readonly McpServer[];
    root?: string;
    /** The run's working directory (its workspace or worktree). */
    workspace?: string;
  } = {},
): Promise<RuntimeSandbox> {
  try {
    const detection = await probe.detect();
    const applied = applySandbox(narrowSandbox(agent.spec.sandbox, run.spec.sandbox), detection);
    const servers = (opts.mcpServers ?? []).filter((s) => s.type === "stdio" && s.command);
    return runtimeSandbox({
      applied,
      host: detection.ok ? detection.host : undefined,
      commands: [
        { command: agent.spec.command, args: agent.spec.args },
        ...servers.map((s) => ({ command: s.command!, args: s.args })),
      ],
      pathEnv: opts.pathEnv,
      mass: MASS_LOCATION,
      deny: opts.root ? [opts.root] : [],
      workspace: opts.workspace,
    });
  } catch (err) {
    throw _toAriError(err);
  }
}
