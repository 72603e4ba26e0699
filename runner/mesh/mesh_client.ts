/**
 * The mesh server's connection to its run's endpoint (`<bundle>/mesh/mesh.sock`, served by
 * agentd; specs/mesh.md). It is not ARI: the endpoint answers only `mesh/send`,
 * `mesh/status` and `mesh/wait`, for the run it belongs to.
 */
import {
  MESH_METHODS,
  MESH_WAIT_DEFAULT_SECONDS,
  type MeshSendParams,
  type MeshSendResult,
  type MeshStatus,
  type MeshWaitParams,
  type MeshWaitResult,
} from "../../specs/mesh.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { dialUnix } from "../../specs/wire/socket.ts";

/** One connection to a mesh endpoint. */
export class MeshClient {
  readonly #peer: RpcPeer;

  private constructor(peer: RpcPeer) {
    this.#peer = peer;
  }

  /**
   * Dials the endpoint at `path`.
   *
   * @example
   * ```ts
   * const mesh = await MeshClient.connect("/root/runs/w/alice/mesh/mesh.sock");
   * await mesh.send({ to: "bob", message: [{ type: "text", text: "hi" }] });
   * ```
   */
  static async connect(path: string, opts: { requestTimeoutMs?: number } = {}) {
    const peer = await dialUnix(path, {
      connectTimeoutMs: 2_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
    });
    return new MeshClient(peer);
  }

  get closed(): Promise<void> {
    return this.#peer.closed;
  }

  close(): void {
    this.#peer.close();
  }

  /** A message from the endpoint's run (the sender is never chosen here). */
  send(params: MeshSendParams): Promise<MeshSendResult> {
    return this.#peer.request<MeshSendResult>(MESH_METHODS.send, params);
  }

  /** Waits (bounded by `timeoutSeconds`) for a reply from `from` and takes it. */
  wait(params: MeshWaitParams): Promise<MeshWaitResult> {
    const seconds = params.timeoutSeconds ?? MESH_WAIT_DEFAULT_SECONDS;
    return this.#peer.request<MeshWaitResult>(MESH_METHODS.wait, params, {
      timeoutMs: (seconds + 10) * 1000,
    });
  }

  status(): Promise<MeshStatus> {
    return this.#peer.request<MeshStatus>(MESH_METHODS.status, {});
  }
}
