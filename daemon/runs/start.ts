/**
 * Starting an agent-run: agentrun/create records the run and queues the start; the start
 * writes the bundle, spawns `mass run`, waits (bounded) for its socket and attaches. A start
 * that fails records `error` on the run; one aborted by a stop/restart/delete, `stopped`.
 */
import { settlesWithin } from "../../specs/lib/settles_within.ts";
import type { Agent, AgentRun, RunKey } from "../../specs/ari.ts";
import { errorMessage } from "../../specs/errors.ts";
import type { McpServer, RuntimeState } from "../../specs/runtime.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import {
  type BundlePaths,
  composeConfig,
  DEFAULT_STARTUP_SECONDS,
  readState,
  writeBundle,
} from "./bundle.ts";
import { syncMeshEndpoint } from "./mesh_endpoint.ts";
import { appliedSandbox } from "../../specs/sandbox.ts";
import { clearLeftover, killLeftoverAgent } from "./leftovers.ts";
import { checkRunSandbox, runSandbox } from "./run_sandbox.ts";
import { INITIAL_PHASE, transition } from "./phase.ts";
import { type Ctl, type RunContext, runId } from "./run_context.ts";
import { pickEnv, RUNNER_ENV_ALLOW, spawnAgentRun } from "../../runner/launch/mod.ts";
import { AGENT_ENV_ALLOW, signalGroup, waitForSocket } from "./spawn.ts";
import { runWorkdir } from "./run_worktree.ts";

/**
 * agentrun/create: validates, records the run as `creating` and starts it in the
 * background. Agent missing or disabled → -32602 (checked atomically with the create, so
 * a concurrent agent/delete cannot slip in); workspace missing -32602 / not ready -32001
 * and duplicate -32001 (from the store).
 */
export async function createRun(
  cx: RunContext,
  input: Omit<AgentRun, "kind" | "status"> & { kind?: "AgentRun" },
): Promise<AgentRun> {
  const key = { workspace: input.metadata.workspace, name: input.metadata.name };
  const paths = cx.bundlePathsOf(key);
  await checkRunSandbox(cx.sandboxProbe, await cx.store.getAgent(input.spec.agent), input);
  const run = await cx.store.createRun({
    metadata: input.metadata,
    spec: input.spec,
    status: {
      phase: INITIAL_PHASE,
      bundle: paths.dir,
      socketPath: paths.socket,
      restartCount: 0,
    },
  }, { requireAgent: true });
  const ctl = cx.ctl(key);
  ctl.generation++;
  const gen = ctl.generation;
  cx.background(cx.mutex.run(runId(key), async () => {
    if (ctl.generation !== gen) return;
    await cx.steps.startLocked(key, ctl, { resume: false });
  }));
  return run;
}

/** Starts an agent-run for the run, inside its queue; a failure is recorded on the run. */
export async function startLocked(
  cx: RunContext,
  key: RunKey,
  ctl: Ctl,
  opts: { resume: boolean },
): Promise<void> {
  const abort = new AbortController();
  ctl.starting = abort;
  try {
    await _startAgentRun(cx, key, ctl, opts, abort.signal);
  } catch (err) {
    // agentd is going away, not the run: it stays `creating`, its agent-run (if spawned) goes
    // on, and recovery attaches to it or starts it again.
    if (cx.closing.aborted) {
      cx.log.info("agentd closing during a start: left to recovery", { run: runId(key) });
      return;
    }
    await _markStartFailed(cx, key, abort.signal, errorMessage(err));
  } finally {
    if (ctl.starting === abort) ctl.starting = undefined;
  }
}

async function _markStartFailed(
  cx: RunContext,
  key: RunKey,
  signal: AbortSignal,
  message: string,
): Promise<void> {
  cx.log.warn("agent-run start failed", { run: runId(key), error: message });
  await cx.store.updateRun(key, (r) => {
    delete r.status.pid;
    if (signal.aborted) {
      r.status.phase = transition(r.status.phase, "start_aborted");
    } else {
      r.status.phase = transition(r.status.phase, "start_failed");
      r.status.errorMessage = message;
    }
  }).catch(() => {});
}

async function _startAgentRun(
  cx: RunContext,
  key: RunKey,
  ctl: Ctl,
  opts: { resume: boolean },
  signal: AbortSignal,
) {
  const run = await cx.store.getRun(key);
  if (!run) return;
  const agent = await cx.store.getAgent(run.spec.agent);
  if (!agent) throw new Error(`agent ${run.spec.agent} not found`);
  if (agent.spec.disabled) throw new Error(`agent ${run.spec.agent} is disabled`);
  const ws = await cx.store.getWorkspace(key.workspace);
  if (!ws?.status.path) throw new Error(`workspace ${key.workspace} has no directory`);
  const paths = cx.bundlePathsOf(key);
  const workdir = await runWorkdir(cx.store, cx.paths.root, run, ws, signal);
  const baseEnv = pickEnv(AGENT_ENV_ALLOW, _env(cx));
  const injectedMcpServers = _meshServers(cx, key, ws.spec.features);
  const sandbox = await runSandbox(cx.sandboxProbe, agent, run, {
    pathEnv: baseEnv.PATH,
    root: cx.paths.root,
    workspace: workdir,
    mcpServers: [...injectedMcpServers, ...run.spec.mcpServers ?? []],
  });
  const config = composeConfig({
    run,
    agent,
    workspace: { ...ws, status: { ...ws.status, path: workdir } },
    baseEnv,
    hostEnv: _env(cx),
    sandbox,
    injectedMcpServers,
    resumeSessionId: opts.resume ? run.status.sessionId : undefined,
    eventMaxSegments: cx.opts.eventMaxSegments,
  });
  await writeBundle(paths, config, workdir, run.spec.workflowFile);
  // Before the agent can start its mesh server (a system-prompt turn may already use it).
  await syncMeshEndpoint(cx, key, paths, config);
  await clearLeftover(paths, run);
  if (signal.aborted) throw new Error("start aborted");
  const child = _spawn(cx, paths);
  cx.log.info("agent-run started", { run: runId(key), pid: child.pid });
  await cx.store.updateRun(key, (r) => {
    r.status.pid = child.pid;
    r.status.bundle = paths.dir;
    r.status.socketPath = paths.socket;
    r.status.eventPath = paths.events;
    r.status.sandbox = appliedSandbox(sandbox);
  });
  const status = child.status.then((s) => s);
  let peer: RpcPeer;
  try {
    peer = await waitForSocket(paths.socket, {
      timeoutMs: _startupMs(agent),
      exited: status,
      signal,
    });
    if (signal.aborted) {
      peer.close();
      throw new Error("start aborted");
    }
  } catch (err) {
    const state = await _abandon(cx, paths, child);
    throw new Error(`${errorMessage(err)}${_why(state)}`);
  }
  try {
    await cx.steps.attach(key, ctl, paths, { pid: child.pid, child, peer, fresh: true });
  } catch (err) {
    // An agent-run whose bootstrap fails just after it listens closes the connection under
    // the attach: its own account of why says more than "connection closed".
    const state = await _abandon(cx, paths, child);
    throw new Error(`${errorMessage(err)}${_why(state)}`);
  }
}

/** What the agent-run said about its end, appended to a start failure. */
function _why(state: RuntimeState | undefined): string {
  return state?.errorMessage
    ? `: ${state.errorMessage}`
    : state?.reason
    ? ` (agent-run: ${state.reason})`
    : "";
}

/**
 * Gets rid of an agent-run that did not start properly, and of its agent: SIGTERM lets it
 * stop its agent itself; SIGKILL (and a kill of the agent's own group) if it does not.
 */
async function _abandon(
  cx: RunContext,
  paths: BundlePaths,
  child: Deno.ChildProcess,
): Promise<RuntimeState | undefined> {
  if (cx.closing.aborted) {
    // agentd is going away mid-start: the agent-run outlives it like any other.
    child.unref();
    return undefined;
  }
  signalGroup(child.pid, "SIGTERM");
  if (!await settlesWithin(child.status, cx.timeouts.termMs + 2_000)) {
    signalGroup(child.pid, "SIGKILL");
    await child.status;
  }
  const state = await readState(paths);
  await killLeftoverAgent(paths, state);
  return state;
}

function _spawn(cx: RunContext, paths: BundlePaths): Deno.ChildProcess {
  return spawnAgentRun(paths.dir, {
    env: pickEnv(RUNNER_ENV_ALLOW, _env(cx)),
    denoPath: cx.opts.denoPath,
    logLevel: cx.opts.logLevel,
  });
}

function _env(cx: RunContext): Record<string, string> {
  return cx.opts.env ?? Deno.env.toObject();
}

function _meshServers(
  cx: RunContext,
  key: RunKey,
  features?: Record<string, boolean>,
): McpServer[] {
  if (features?.workspaceMesh === false) return [];
  const s = cx.opts.meshServer?.(key.workspace, key.name);
  return s ? [s] : [];
}

function _startupMs(agent: Agent): number {
  return (agent.spec.startupTimeoutSeconds ?? DEFAULT_STARTUP_SECONDS) * 1_000;
}
