/**
 * Error codes shared by ARI and the runner RPC, and the typed error that carries them.
 *
 * Codes follow the original MASS (see specs/errors.md): -32001 for "conflict / not now",
 * -32602 for bad params and missing resources, -32603 for internal failures.
 */
import { JSONRPCErrorException } from "json-rpc-2.0";

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  /** Recovering, not ready, busy, wrong phase, still in use. */
  Conflict: -32001,
  /** To an agent: the run's permission policy refused what it asked the client to do. */
  PolicyDenied: -32003,
  /** ACP: authentication required (passed through from agents). */
  AuthRequired: -32000,
  /** ACP: the request was cancelled. */
  RequestCancelled: -32800,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error that crosses the wire: a JSON-RPC code plus a one-line message. */
export class RpcError extends JSONRPCErrorException {
  constructor(code: number, message: string, data?: unknown) {
    super(message, code, data);
    // json-rpc-2.0 (ES5 output) resets the prototype to its own class; restore ours so
    // `instanceof` works for RpcError and its subclasses.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "RpcError";
  }
}

export class InvalidParamsError extends RpcError {
  constructor(message: string) {
    super(ErrorCode.InvalidParams, message);
    this.name = "InvalidParamsError";
  }
}

export class NotFoundError extends RpcError {
  constructor(message: string) {
    super(ErrorCode.InvalidParams, message);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends RpcError {
  constructor(message: string) {
    super(ErrorCode.Conflict, message);
    this.name = "ConflictError";
  }
}

export class InternalError extends RpcError {
  constructor(message: string) {
    super(ErrorCode.Internal, message);
    this.name = "InternalError";
  }
}

/** Reads `code` from anything thrown by an RPC call (our errors or the library's). */
export function errorCode(err: unknown): number | undefined {
  if (err && typeof err === "object" && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "number") return code;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
