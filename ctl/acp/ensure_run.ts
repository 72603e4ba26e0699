/**
 * `--create --agent A`: the run is created in its workspace when it does not exist yet, and
 * the facade waits until it is idle before answering `session/new`.
 */
import * as acp from "@agentclientprotocol/sdk";
import type { RunKey } from "../../specs/ari.ts";
import { errorCode, errorMessage } from "../../specs/errors.ts";
import type { AriClient } from "../client/ari_client.ts";
import { waitRunIdle } from "../client/wait.ts";

export interface EnsureRunOptions {
  /** Create the run with this agent when it is missing; absent: a missing run is an error. */
  createWithAgent?: string;
  /** Bound on the wait for a created run to become idle. */
  timeoutMs: number;
}

/**
 * Makes sure the run exists (creating it when asked) and, if it was created here, that it is
 * idle. A missing run without `createWithAgent` is `-32002` naming the way out.
 *
 * @example
 * ```ts
 * await ensureRun(client, { workspace: "w", name: "r" }, { createWithAgent: "demo", timeoutMs: 60_000 });
 * ```
 */
export async function ensureRun(
  client: Pick<AriClient, "agentrunGet" | "agentrunCreate">,
  key: RunKey,
  opts: EnsureRunOptions,
): Promise<void> {
  try {
    await client.agentrunGet(key);
    return;
  } catch (err) {
    if (!_isNotFound(err)) throw err;
    if (!opts.createWithAgent) {
      throw new acp.RequestError(
        -32002,
        `agent run ${key.workspace}/${key.name} not found: create it first, or pass --create --agent AGENT`,
      );
    }
  }
  try {
    await client.agentrunCreate({
      metadata: { name: key.name, workspace: key.workspace },
      spec: { agent: opts.createWithAgent },
    });
  } catch (err) {
    // Another client created it meanwhile: fine, wait for it like for ours.
    if (errorCode(err) !== -32001 || !/exists/.test(errorMessage(err))) throw err;
  }
  await waitRunIdle(client as AriClient, key, { timeoutMs: opts.timeoutMs });
}

function _isNotFound(err: unknown): boolean {
  return errorCode(err) === -32602 && /not found/.test(errorMessage(err));
}
