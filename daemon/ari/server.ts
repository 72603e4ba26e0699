/**
 * The ARI listener: installs one handler per method of specs/ari_methods.ts on each
 * connection (a method without a handler stops the start) and wraps each handler with the
 * recovery gate (the table's `mutating`) and the error mapping that keeps the wire contract (typed RPC
 * errors pass through, zod errors become -32602, anything else -32603 and a log line).
 */
import { z } from "zod";
import {
  ConflictError,
  ErrorCode,
  ErrorKind,
  errorKind,
  KIND_CODES,
  KindError,
  RpcError,
} from "../../specs/errors.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { serveUnix, type UnixServer } from "../../specs/wire/socket.ts";
import { ARI_METHOD_NAMES, ARI_METHODS, type AriMethodName } from "../../specs/ari_methods.ts";
import type { AriHandler, AriHandlers, RecoveryState } from "../context.ts";
import type { Logger } from "../logging.ts";
import { describeZodError } from "./params.ts";

export const RECOVERING_MESSAGE = "daemon is recovering agents";

export interface HandlerContext {
  /** Read on every call: the gate follows recovery as it progresses. */
  recovery: RecoveryState;
  logger: Logger;
}

/**
 * Maps whatever a handler threw to the RpcError that goes on the wire: an error of a known
 * kind gets its code from specs/errors.ts's KIND_CODES (and `data: {kind}`); other coded
 * errors (passed through from an agent-run) keep their code.
 */
export function toRpcError(err: unknown): RpcError {
  const kind = errorKind(err);
  if (kind && err instanceof Error) return new RpcError(KIND_CODES[kind], err.message, { kind });
  if (err instanceof RpcError) return err;
  // Errors of the same shape from json-rpc-2.0 or another copy of specs/errors.ts.
  if (err instanceof Error && typeof (err as { code?: unknown }).code === "number") {
    const code = (err as unknown as { code: number }).code;
    if (code >= -32768 && code <= -32000) return new RpcError(code, err.message);
  }
  if (err instanceof z.ZodError) {
    return new KindError(ErrorKind.InvalidInput, `invalid params: ${describeZodError(err)}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KindError(ErrorKind.Internal, message || "internal error");
}

/** Wraps one handler: recovery gate, `undefined` → null, error mapping. */
export function wrapHandler<M extends AriMethodName>(
  method: M,
  handler: AriHandler<M>,
  ctx: HandlerContext,
) {
  const gated = ARI_METHODS[method].mutating;
  return async (params: unknown, peer: RpcPeer): Promise<unknown> => {
    if (gated && ctx.recovery.phase === "recovering") throw new ConflictError(RECOVERING_MESSAGE);
    try {
      const result = await handler(params, peer);
      return result === undefined ? null : result;
    } catch (err) {
      const rpcErr = toRpcError(err);
      if (rpcErr.code === ErrorCode.Internal) {
        ctx.logger.error("ari handler failed", {
          method,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
      } else {
        ctx.logger.debug("ari call refused", { method, code: rpcErr.code, error: rpcErr.message });
      }
      throw rpcErr;
    }
  };
}

/**
 * Merges the handler groups into one handler per table method; a later group wins on a name
 * clash. Throws when a table method has no handler or a group names a method outside the
 * table (the types catch both for literal groups; this catches the rest at startup).
 */
export function resolveHandlers(groups: readonly AriHandlers[]): Map<AriMethodName, AriHandler> {
  const merged = new Map<string, AriHandler>();
  for (const group of groups) {
    for (const [method, handler] of Object.entries(group)) {
      if (!(method in ARI_METHODS)) throw new Error(`ARI handler for unknown method ${method}`);
      if (handler) merged.set(method, handler as AriHandler);
    }
  }
  const missing = ARI_METHOD_NAMES.filter((m) => !merged.has(m));
  if (missing.length > 0) throw new Error(`ARI methods without a handler: ${missing.join(", ")}`);
  return merged as Map<AriMethodName, AriHandler>;
}

/**
 * Handlers that answer -32601 like an unknown method, for the table methods whose wire name
 * starts with `prefix`: a daemon started without a run supervisor (tests) serves no
 * `agentrun/*` but must still cover the table.
 */
export function unservedHandlers(prefix: string): AriHandlers {
  const group: Record<string, AriHandler> = {};
  for (const method of ARI_METHOD_NAMES.filter((m) => m.startsWith(prefix))) {
    group[method] = () => {
      throw new RpcError(ErrorCode.MethodNotFound, "Method not found");
    };
  }
  return group as AriHandlers;
}

/** Registers every table method on `peer`, each wrapped by `wrapHandler`. */
export function installHandlers(
  peer: RpcPeer,
  handlers: ReadonlyMap<AriMethodName, AriHandler>,
  ctx: HandlerContext,
): void {
  for (const [method, handler] of handlers) {
    peer.addMethod(method, wrapHandler(method, handler, ctx));
  }
}

export interface AriServerOptions extends HandlerContext {
  socketPath: string;
  groups: readonly AriHandlers[];
  /** Called once per new connection, after the handlers are installed. */
  onConnection?: (peer: RpcPeer) => void;
}

/** Listens on the ARI socket (0600, stale file removed) and serves each connection. */
export function startAriServer(opts: AriServerOptions): Promise<UnixServer> {
  const log = opts.logger;
  const handlers = resolveHandlers(opts.groups);
  return serveUnix(opts.socketPath, {
    mode: 0o600,
    // Clients wait on long calls (agentrun/stop); the server never times out its own sends.
    requestTimeoutMs: 0,
    onProtocolError: (message) => log.warn("ari protocol error", { error: message }),
    logger: log,
    setup(peer) {
      installHandlers(peer, handlers, opts);
      opts.onConnection?.(peer);
    },
  });
}
