/**
 * agentd's per-run mesh endpoints: one Unix socket per run at `<bundle>/mesh/mesh.sock`
 * (0600 in a 0700 directory), serving only specs/mesh.md's methods for that run. The run
 * supervisor opens one when it starts or re-attaches a run whose config injects the mesh,
 * and closes it when the run is deleted; agentd's shutdown closes them all (recovery opens
 * them again).
 */
import { dirname } from "node:path";
import type { RunKey } from "../../specs/ari.ts";
import { ErrorCode, errorMessage, RpcError } from "../../specs/errors.ts";
import { serveUnix, type UnixServer } from "../../specs/wire/socket.ts";
import type { Logger } from "../logging.ts";
import { type MeshDeps, meshHandlers } from "./mesh_handlers.ts";

/** What the run supervisor calls (daemon/runs/ knows only this shape). */
export interface MeshEndpointPort {
  /** Serves the endpoint of `key` on `socketPath` (idempotent for the same path). */
  open(key: RunKey, socketPath: string): Promise<void>;
  /** Stops serving `key`'s endpoint and removes its socket file; a missing one is fine. */
  close(key: RunKey): Promise<void>;
}

/** The endpoints of one agentd. */
export class MeshEndpoints implements MeshEndpointPort {
  readonly #deps: MeshDeps;
  readonly #log?: Logger;
  readonly #servers = new Map<string, Promise<UnixServer>>();
  /** Aborts the waits (`mesh/wait`) of an endpoint when it closes. */
  readonly #aborts = new Map<string, AbortController>();
  #closed = false;

  constructor(deps: MeshDeps, logger?: Logger) {
    this.#deps = deps;
    this.#log = logger;
  }

  async open(key: RunKey, socketPath: string): Promise<void> {
    if (this.#closed) return;
    const id = `${key.workspace}/${key.name}`;
    const current = this.#servers.get(id);
    if (current) {
      const server = await current.catch(() => undefined);
      if (server?.path === socketPath && await _isSocket(socketPath)) return;
      await this.close(key);
    }
    const serving = this.#serve(key, socketPath);
    this.#servers.set(id, serving);
    try {
      await serving;
    } catch (err) {
      if (this.#servers.get(id) === serving) this.#servers.delete(id);
      throw err;
    }
  }

  async close(key: RunKey): Promise<void> {
    const id = `${key.workspace}/${key.name}`;
    const serving = this.#servers.get(id);
    if (!serving) return;
    this.#servers.delete(id);
    this.#aborts.get(id)?.abort();
    this.#aborts.delete(id);
    const server = await serving.catch(() => undefined);
    if (!server) return;
    await server.close();
    await Deno.remove(server.path).catch(() => {});
  }

  /** Closes every endpoint (agentd shutting down); later opens do nothing. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    const ids = [...this.#servers.keys()];
    await Promise.allSettled(ids.map((id) => {
      const [workspace, name] = id.split("/");
      return this.close({ workspace, name });
    }));
  }

  async #serve(key: RunKey, socketPath: string): Promise<UnixServer> {
    // The directory first, owner-only: the socket's own mode is set only after it exists.
    await Deno.mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
    await Deno.chmod(dirname(socketPath), 0o700);
    const abort = new AbortController();
    this.#aborts.set(`${key.workspace}/${key.name}`, abort);
    const handlers = meshHandlers(key, this.#deps, abort.signal);
    const log = this.#log;
    const server = await serveUnix(socketPath, {
      mode: 0o600,
      requestTimeoutMs: 0,
      logger: log,
      onProtocolError: (message) => log?.warn("mesh protocol error", { error: message }),
      setup(peer) {
        for (const [method, handler] of Object.entries(handlers)) {
          peer.addMethod(method, async (params) => {
            try {
              return await handler(params);
            } catch (err) {
              if (err instanceof RpcError) throw err;
              log?.error("mesh handler failed", { method, error: errorMessage(err) });
              throw new RpcError(ErrorCode.Internal, errorMessage(err));
            }
          });
        }
      },
    });
    log?.debug("mesh endpoint open", { run: `${key.workspace}/${key.name}`, socket: socketPath });
    return server;
  }
}

async function _isSocket(path: string): Promise<boolean> {
  try {
    return (await Deno.lstat(path)).isSocket === true;
  } catch {
    return false;
  }
}
