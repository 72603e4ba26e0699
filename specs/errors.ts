/**
 * Error kinds (what went wrong, for code that decides what to do next) and the ONE table that
 * turns a kind into a JSON-RPC code where an error crosses the wire (ARI and the runner
 * RPC). Codes follow the original MASS (see specs/errors.md): -32001 for "conflict / not
 * now", -32602 for bad params and missing resources, -32603 for internal failures.
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
  /** ACP: authentication required (passed through from agents). */
  AuthRequired: -32000,
  /** ACP: the request was cancelled. */
  RequestCancelled: -32800,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What kind of failure an error is; sent as `data.kind` beside the code (additive). */
export const ErrorKind = {
  /** The named workspace, agent, run, task or request does not exist. */
  NotFound: "not_found",
  /** `create` found the name taken (Workspace, Agent). */
  AlreadyExists: "already_exists",
  /** Not now: recovering, busy, wrong phase, still in use, duplicate AgentRun. */
  Conflict: "conflict",
  /** Missing or ill-typed params, invalid names. */
  InvalidInput: "invalid_input",
  /** Unexpected failure. */
  Internal: "internal",
} as const;

export type ErrorKindName = (typeof ErrorKind)[keyof typeof ErrorKind];

/** The one table kind → JSON-RPC code (the original MASS's codes, specs/errors.md). */
export const KIND_CODES = {
  not_found: ErrorCode.InvalidParams,
  already_exists: ErrorCode.InvalidParams,
  conflict: ErrorCode.Conflict,
  invalid_input: ErrorCode.InvalidParams,
  internal: ErrorCode.Internal,
} as const satisfies Record<ErrorKindName, ErrorCodeValue>;

/** True for the kind names of `ErrorKind` (e.g. read back from a wire error's data). */
export function isErrorKind(value: unknown): value is ErrorKindName {
  return typeof value === "string" && Object.hasOwn(KIND_CODES, value);
}

/** The kind an error carries: its own `errorKind`, else its wire `data.kind`. */
export function errorKind(err: unknown): ErrorKindName | undefined {
  if (!err || typeof err !== "object") return undefined;
  const own = (err as { errorKind?: unknown }).errorKind;
  if (isErrorKind(own)) return own;
  const data = (err as { data?: unknown }).data;
  const kind = data && typeof data === "object" ? (data as { kind?: unknown }).kind : undefined;
  return isErrorKind(kind) ? kind : undefined;
}

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

/**
 * An error of a known kind: its code comes from `KIND_CODES` and its wire error carries
 * `data: {kind}`, so a client can tell "not found" from other -32602s without reading the
 * message.
 */
export class KindError extends RpcError {
  readonly errorKind: ErrorKindName;
  constructor(kind: ErrorKindName, message: string) {
    super(KIND_CODES[kind], message, { kind });
    this.name = "KindError";
    this.errorKind = kind;
  }
}

/** Bad input from the caller (kind `invalid_input`, code -32602). */
export class InvalidParamsError extends KindError {
  constructor(message: string) {
    super(ErrorKind.InvalidInput, message);
    this.name = "InvalidParamsError";
  }
}

/** The named object does not exist (kind `not_found`, code -32602). */
export class NotFoundError extends KindError {
  constructor(message: string) {
    super(ErrorKind.NotFound, message);
    this.name = "NotFoundError";
  }
}

/** Not possible now, e.g. in the object's current phase (kind `conflict`, code -32001). */
export class ConflictError extends KindError {
  constructor(message: string) {
    super(ErrorKind.Conflict, message);
    this.name = "ConflictError";
  }
}

/** A failure on the server's side (kind `internal`, code -32603). */
export class InternalError extends KindError {
  constructor(message: string) {
    super(ErrorKind.Internal, message);
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

/** The message of a thrown Error, or any other thrown value as a string. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
