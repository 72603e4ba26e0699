/**
 * Polling waits (massctl's `--wait` flags use them): until a workspace is ready, a run is
 * idle, or a run is stopped. Each is bounded by a timeout (`TimeoutError`) and reports
 * progress through `onPhase`; a wrong final phase is a `WaitFailedError`.
 */
import type { AgentRun, RunKey, Workspace } from "../../specs/ari.ts";
import { delay } from "../../specs/lib/delay.ts";
import type { AriClient } from "./ari_client.ts";
import { TimeoutError, WaitFailedError } from "./errors.ts";

export interface WaitOptions {
  intervalMs?: number;
  timeoutMs?: number;
  /** Called with each phase seen, for spinners. */
  onPhase?: (phase: string) => void;
}

const DEFAULT_INTERVAL_MS = 250;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

async function poll<T>(
  fetch: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  while (true) {
    const value = await fetch();
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new TimeoutError(timeout, what);
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Waits until the workspace is ready; its `error` phase becomes a WaitFailedError.
 *
 * @example
 * ```ts
 * import { AriClient, waitWorkspaceReady } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * await client.workspaceCreate({ metadata: { name: "w" }, spec: { source: { type: "emptyDir" } } });
 * const ws = await waitWorkspaceReady(client, "w", { timeoutMs: 60_000 });
 * console.log(ws.status.path);
 * ```
 */
export async function waitWorkspaceReady(
  client: AriClient,
  name: string,
  opts: WaitOptions = {},
): Promise<Workspace> {
  const ws = await poll(
    () => client.workspaceGet(name),
    (w) => {
      opts.onPhase?.(w.status?.phase ?? "");
      return w.status?.phase === "ready" || w.status?.phase === "error";
    },
    `workspace "${name}" to be ready`,
    opts,
  );
  if (ws.status.phase === "error") {
    const why = ws.status.errorMessage ? `: ${ws.status.errorMessage}` : "";
    throw new WaitFailedError(`workspace "${name}" failed to prepare${why}`, ws.status.phase);
  }
  return ws;
}

/**
 * Waits until the run is idle; `error` or `stopped` first becomes a WaitFailedError.
 *
 * @example
 * ```ts
 * import { AriClient, waitRunIdle } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * const run = await waitRunIdle(client, { workspace: "w", name: "a" }, { timeoutMs: 60_000 });
 * console.log(run.status.phase); // "idle"
 * ```
 */
export async function waitRunIdle(
  client: AriClient,
  key: RunKey,
  opts: WaitOptions = {},
): Promise<AgentRun> {
  const run = await poll(
    () => client.agentrunGet(key),
    (r) => {
      const phase = r.status?.phase ?? "";
      opts.onPhase?.(phase);
      return phase === "idle" || phase === "error" || phase === "stopped";
    },
    `agentrun ${key.workspace}/${key.name} to be idle`,
    opts,
  );
  if (run.status.phase !== "idle") {
    const why = run.status.errorMessage ? `: ${run.status.errorMessage}` : "";
    throw new WaitFailedError(
      `agentrun ${key.workspace}/${key.name} is ${run.status.phase}, not idle${why}`,
      run.status.phase,
    );
  }
  return run;
}

/**
 * Waits until the run is stopped or in error (the phases that allow delete).
 *
 * @example
 * ```ts
 * import { AriClient, waitRunTerminal } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * await client.agentrunStop({ workspace: "w", name: "a" });
 * await waitRunTerminal(client, { workspace: "w", name: "a" });
 * await client.agentrunDelete({ workspace: "w", name: "a" });
 * ```
 */
export function waitRunTerminal(
  client: AriClient,
  key: RunKey,
  opts: WaitOptions = {},
): Promise<AgentRun> {
  return poll(
    () => client.agentrunGet(key),
    (r) => isTerminalPhase(r.status?.phase),
    `agentrun ${key.workspace}/${key.name} to stop`,
    { timeoutMs: 30_000, ...opts },
  );
}

/**
 * True for the phases a run rests in after it stopped (`stopped`, `error`).
 *
 * @example
 * ```ts
 * import { AriClient, isTerminalPhase } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * const run = await client.agentrunGet({ workspace: "w", name: "a" });
 * if (isTerminalPhase(run.status.phase)) console.log("run has stopped");
 * ```
 */
export function isTerminalPhase(phase: string | undefined): boolean {
  return phase === "stopped" || phase === "error";
}
