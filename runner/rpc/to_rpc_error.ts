import { ErrorCode, errorMessage, RpcError } from "../../specs/errors.ts";

/** Any failure as an RpcError for the runner socket (agent codes pass through). */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  const code = typeof err === "object" && err !== null && "code" in err
    ? (err as { code: unknown }).code
    : undefined;
  const message = errorMessage(err);
  if (typeof code === "number" && Number.isInteger(code)) return new RpcError(code, message);
  return new RpcError(ErrorCode.Internal, message);
}
