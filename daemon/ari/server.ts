/**
 * The ARI listener: installs every handler group on each connection and wraps each handler
 * with the recovery gate and the error mapping that keeps the wire contract (typed RPC
 * errors pass through, zod errors become -32602, anything else -32603 and a log line).
 */
import { z } from "zod";
import { ConflictError, ErrorCode, RpcError } from "../../specs/errors.ts";
import type { RpcPeer } from "../../specs/wire/peer.ts";
import { serveUnix, type UnixServer } from "../../specs/wire/socket.ts";
import type { AriHandler, AriHandlers, RecoveryState } from "../context.ts";
import { MUTATING_METHODS } from "../context.ts";
import type { Logger } from "../logging.ts";
import { describeZodError } from "./params.ts";

export const RECOVERING_MESSAGE = "daemon is recovering agents";

export interface HandlerContext {
  /** Read on every call: the gate follows recovery as it progresses. */
  recovery: RecoveryState;
  logger: Logger;
}

/** Maps whatever a handler threw to the RpcError that goes on the wire. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  // Errors of the same shape from json-rpc-2.0 or another copy of specs/errors.ts.
  if (err instanceof Error && typeof (err as { code?: unknown }).code === "number") {
    const code = (err as unknown as { code: number }).code;
    if (code >= -32768 && code <= -32000) return new RpcError(code, err.message);
  }
  if (err instanceof z.ZodError) {
    return new RpcError(ErrorCode.InvalidParams, `invalid params: ${describeZodError(err)}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new RpcError(ErrorCode.Internal, message || "internal error");
}

/** Wraps one handler: recovery gate, `undefined` → null, error mapping. */
export function wrapHandler(method: string, handler: AriHandler, ctx: HandlerContext) {
  const gated = MUTATING_METHODS.has(method);
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

/** Registers every method of every group on `peer`; a later group wins on a name clash. */
export function installHandlers(
  peer: RpcPeer,
  groups: readonly AriHandlers[],
  ctx: HandlerContext,
): void {
  for (const group of groups) {
    for (const [method, handler] of Object.entries(group)) {
      peer.addMethod(method, wrapHandler(method, handler, ctx));
    }
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
  return serveUnix(opts.socketPath, {
    mode: 0o600,
    // Clients wait on long calls (agentrun/stop); the server never times out its own sends.
    requestTimeoutMs: 0,
    onProtocolError: (message) => log.warn("ari protocol error", { error: message }),
    logger: log,
    setup(peer) {
      installHandlers(peer, opts.groups, opts);
      opts.onConnection?.(peer);
    },
  });
}
