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

/** Where a listener reports trouble it survives; any logger with `warn` fits. */
export interface WireLogger {
  warn(message: string, props?: Record<string, unknown>): void;
}

const ACCEPT_BACKOFF_MIN_MS = 10;
const ACCEPT_BACKOFF_MAX_MS = 1_000;

export interface ServeUnixOptions extends RpcPeerOptions {
  /** Told when accepting fails (out of file descriptors, say); the listener keeps going. */
  logger?: WireLogger;
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
  let closing = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    let backoff = 0;
    let failures = 0;
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (closing || err instanceof Deno.errors.BadResource) return;
        // EMFILE and the like pass once connections close: say so once, wait, keep serving.
        backoff = Math.min(
          backoff === 0 ? ACCEPT_BACKOFF_MIN_MS : backoff * 2,
          ACCEPT_BACKOFF_MAX_MS,
        );
        if (failures++ === 0) {
          opts.logger?.warn("accept failed; retrying", {
            socket: path,
            error: err instanceof Error ? err.message : String(err),
          });
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, backoff);
          wake = () => (clearTimeout(t), r());
        });
        wake = undefined;
        continue;
      }
      if (failures > 0) {
        opts.logger?.warn("accepting again", { socket: path, failedAccepts: failures });
      }
      backoff = 0;
      failures = 0;
      const peer = new RpcPeer(connStream(conn), opts);
      connections.add(peer);
      opts.setup(peer);
      peer.serve().finally(() => connections.delete(peer));
    }
  })();
  return {
    path,
    connections,
    async close() {
      closing = true;
      wake?.();
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
