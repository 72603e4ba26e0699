/**
 * The error a workspace preparation throws. Its `message` goes to `status.errorMessage`
 * and its `hookOutput` (truncated, failing setup hook only) to `status.hookOutput`.
 */
import { ErrorCode, RpcError } from "../../specs/errors.ts";

/** A failed workspace preparation; `hookOutput` is the failing setup hook's output, if any. */
export class WorkspacePrepareError extends RpcError {
  readonly hookOutput?: string;
  constructor(message: string, hookOutput?: string) {
    super(ErrorCode.Internal, message);
    this.name = "WorkspacePrepareError";
    if (hookOutput !== undefined) this.hookOutput = hookOutput;
  }
}
