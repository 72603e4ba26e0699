/**
 * The ARI client's own errors: what the daemon answered (`AriError`, with its code and kind)
 * and why a wait gave up (`TimeoutError`, `WaitFailedError`). The CLI turns them into its
 * one-line messages; library users branch on `kind`.
 */
import { ErrorCode, errorKind, type ErrorKindName, RpcError } from "../../specs/errors.ts";

/**
 * What kind of failure an ARI call met: a daemon error kind (specs/errors.ts) or, for
 * answers without `data.kind` (older daemons, codes passed through from an agent),
 * one read from the code.
 */
export type AriErrorKind = ErrorKindName | "method_not_found" | "other";

/**
 * An error the daemon answered. It is an `RpcError`, so `.code` and `errorCode()` work as
 * for any JSON-RPC error.
 *
 * @example
 * ```ts
 * import { AriClient, AriError } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * try {
 *   await client.workspaceGet("nope");
 * } catch (err: unknown) {
 *   if (err instanceof AriError && err.kind === "not_found") console.log("no such workspace");
 * }
 * ```
 */
export class AriError extends RpcError {
  readonly kind: AriErrorKind;
  constructor(code: number, message: string, data?: unknown) {
    super(code, message, data);
    this.name = "AriError";
    this.kind = errorKind({ data }) ?? kindOfCode(code);
  }
}

function kindOfCode(code: number): AriErrorKind {
  switch (code) {
    case ErrorCode.Conflict:
      return "conflict";
    case ErrorCode.InvalidParams:
      return "invalid_input";
    case ErrorCode.Internal:
      return "internal";
    case ErrorCode.MethodNotFound:
      return "method_not_found";
    default:
      return "other";
  }
}

/**
 * An error answer from the peer becomes an `AriError`; local failures (the connection
 * closed, our own typed errors) are returned as they are.
 */
export function toAriError(err: unknown): unknown {
  if (err instanceof RpcError || !(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "number") return err;
  return new AriError(code, err.message, (err as { data?: unknown }).data);
}

/**
 * True when the daemon said the named object does not exist.
 *
 * @example
 * ```ts
 * import { AriClient, isNotFound } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * try {
 *   await client.workspaceDelete("w");
 * } catch (err: unknown) {
 *   if (!isNotFound(err)) throw err; // already gone is fine
 * }
 * ```
 */
export function isNotFound(err: unknown): boolean {
  return errorKind(err) === "not_found";
}

/**
 * A wait ran out of time; `what` names what it waited for.
 *
 * @example
 * ```ts
 * import { AriClient, TimeoutError, waitRunIdle } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * try {
 *   await waitRunIdle(client, { workspace: "w", name: "a" }, { timeoutMs: 10_000 });
 * } catch (err: unknown) {
 *   if (err instanceof TimeoutError) console.log(`gave up on ${err.what}`);
 *   else throw err;
 * }
 * ```
 */
export class TimeoutError extends Error {
  readonly timeoutMs: number;
  readonly what: string;
  constructor(timeoutMs: number, what: string) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
    this.what = what;
  }
}

/**
 * A wait ended in a phase other than the one it waited for (`error`, `stopped`).
 *
 * @example
 * ```ts
 * import { AriClient, waitWorkspaceReady, WaitFailedError } from "../../mod.ts";
 * const client = await AriClient.connect("/home/me/.mass/mass.sock");
 * try {
 *   await waitWorkspaceReady(client, "w");
 * } catch (err: unknown) {
 *   if (err instanceof WaitFailedError) console.log(`workspace is ${err.phase}: ${err.message}`);
 *   else throw err;
 * }
 * ```
 */
export class WaitFailedError extends Error {
  readonly phase: string;
  constructor(message: string, phase: string) {
    super(message);
    this.name = "WaitFailedError";
    this.phase = phase;
  }
}
