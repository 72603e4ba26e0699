/**
 * One naming rule for workspaces, agents and agent-runs, checked before a name becomes a path.
 */
import { InvalidParamsError } from "./errors.ts";

/** DNS-label-like: lower-case letters, digits, '-', '_' and '.', starting alphanumeric. */
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const MAX_NAME_LENGTH = 63;

/** Returns an error message, or undefined when `name` is valid. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name.length === 0) return "name is required";
  if (name.length > MAX_NAME_LENGTH) return `name is longer than ${MAX_NAME_LENGTH} characters`;
  if (!NAME_RE.test(name) || name.includes("..")) {
    return `invalid name ${
      JSON.stringify(name)
    }: use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit`;
  }
  return undefined;
}

/** True when `name` is a valid object name (see `assertName` for the reason when it is not). */
export function isValidName(name: unknown): name is string {
  return nameProblem(name) === undefined;
}

/** Throws -32602 naming the field when `name` is not a valid name. */
export function assertName(name: unknown, field = "name"): string {
  const problem = nameProblem(name);
  if (problem) throw new InvalidParamsError(`${field}: ${problem}`);
  return name as string;
}

/** Linux sun_path is 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/** Returns a reason when `path` is too long for a Unix socket address, else undefined. */
export function socketPathProblem(path: string): string | undefined {
  const len = new TextEncoder().encode(path).length;
  if (len > MAX_SOCKET_PATH_BYTES) {
    return `socket path too long (${len} bytes, max ${MAX_SOCKET_PATH_BYTES}): ${path}`;
  }
  return undefined;
}
