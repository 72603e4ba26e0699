/**
 * A small client for one agent-run's own socket (`<bundle>/agent-run.sock`, runner RPC, see
 * specs/runner-rpc.md): what `massctl agentrun debug` uses to look at or stop a run without
 * agentd. The CLI reaches the wire only through ctl/client/.
 */
import type { RunnerMethods, StatusResult } from "../../specs/runner_rpc.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";
import { toAriError } from "./errors.ts";

// Checked literals: importing the method table's values would load zod's schemas.
const STATUS = "runtime/status" satisfies (typeof RunnerMethods)["status"];
const STOP = "runtime/stop" satisfies (typeof RunnerMethods)["stop"];

export interface RunnerClientOptions {
  /** Bounds the connect (default 5 s). */
  connectTimeoutMs?: number;
  /** Bounds each request (default 10 s). */
  requestTimeoutMs?: number;
}

/**
 * One connection to an agent-run.
 *
 * @example
 * ```ts
 * import { RunnerClient } from "./runner_client.ts";
 * const run = await RunnerClient.connect("/home/me/.mass/runs/app/coder/agent-run.sock");
 * try {
 *   console.log((await run.status()).state.phase);
 * } finally {
 *   run.close();
 * }
 * ```
 */
export class RunnerClient {
  readonly #peer: RpcPeer;

  private constructor(peer: RpcPeer) {
    this.#peer = peer;
  }

  /** Dials the agent-run's socket; rejects when nobody listens there. */
  static async connect(socketPath: string, opts: RunnerClientOptions = {}): Promise<RunnerClient> {
    const peer = await dialUnix(socketPath, {
      connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    });
    return new RunnerClient(peer);
  }

  /** `runtime/status`: the run's state as the agent-run holds it. */
  status(): Promise<StatusResult> {
    return this.#call<StatusResult>(STATUS);
  }

  /** `runtime/stop`: the agent-run replies, then stops its agent and exits. */
  async stop(): Promise<void> {
    await this.#call<null>(STOP);
  }

  /** Closes the connection. */
  close(): void {
    this.#peer.close();
  }

  async #call<T>(method: string): Promise<T> {
    try {
      return await this.#peer.request<T>(method);
    } catch (err) {
      throw toAriError(err);
    }
  }
}
