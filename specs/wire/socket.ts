/**
 * Unix-socket listeners and dialers for JSON-RPC peers.
 */
import { dirname } from "node:path";
import { deadline } from "../lib/deadline.ts";
import { connStream, RpcPeer, type RpcPeerOptions } from "./peer.ts";

export interface UnixServer {
  readonly path: string;
  /** Stops accepting and closes every open connection. */
  close(): Promise<void>;
  readonly connections: ReadonlySet<RpcPeer>;
}

export interface ServeUnixOptions extends RpcPeerOptions {
  /** Registers methods on each new connection before it is read. */
  setup: (peer: RpcPeer) => void;
  /** File mode of the socket; 0o600 unless told otherwise. */
  mode?: number;
}

/** Listens on `path` (removing a stale socket file first) and serves each connection. */
export async function serveUnix(path: string, opts: ServeUnixOptions): Promise<UnixServer> {
  await Deno.mkdir(dirname(path), { recursive: true });
  try {
    const st = await Deno.lstat(path);
    if (st.isSocket) await Deno.remove(path);
    else throw new Error(`${path} exists and is not a socket`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const listener = Deno.listen({ transport: "unix", path });
  await Deno.chmod(path, opts.mode ?? 0o600);
  const connections = new Set<RpcPeer>();
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        const peer = new RpcPeer(connStream(conn), opts);
        connections.add(peer);
        opts.setup(peer);
        peer.serve().finally(() => connections.delete(peer));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    path,
    connections,
    async close() {
      try {
        listener.close();
      } catch {
        // already closed
      }
      for (const p of connections) p.close();
      await loop;
    },
  };
}

export interface DialOptions extends RpcPeerOptions {
  /** Bounds the connect itself. */
  connectTimeoutMs?: number;
  setup?: (peer: RpcPeer) => void;
}

/** Connects to a Unix socket and starts reading; the returned peer is ready for requests. */
export async function dialUnix(path: string, opts: DialOptions = {}): Promise<RpcPeer> {
  const ms = opts.connectTimeoutMs ?? 5_000;
  const conn = await deadline(
    Deno.connect({ transport: "unix", path }),
    ms,
    `connect ${path}: timed out after ${ms} ms`,
  );
  const peer = new RpcPeer(connStream(conn), opts);
  opts.setup?.(peer);
  peer.serve();
  return peer;
}
