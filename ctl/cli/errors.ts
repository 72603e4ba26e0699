/**
 * massctl errors: every failure ends as one line `Error: …` and a non-zero exit code.
 */
export { isNotFound } from "../client/errors.ts";

/** Exit codes massctl uses beyond the generic 1. */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  /** `prompt --wait`: the turn ended but not with end_turn (cancelled, error, refusal…). */
  TurnFailed: 2,
  /** `prompt --wait`: no turn_end within --timeout. */
  Timeout: 3,
  /** `prompt --wait`: Ctrl+C ended the wait (the turn goes on); 128 + SIGINT, as shells do. */
  Interrupted: 130,
} as const;

/** A failure meant for the user: its message is printed as is, then the process exits. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.Failure) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** The daemon's socket is missing or nobody listens on it. */
export class DaemonUnreachableError extends CliError {
  readonly socketPath: string;
  constructor(socketPath: string) {
    super(
      `cannot connect to mass daemon at ${socketPath}: is it running? ` +
        `Start it with: mass server (or, from a checkout: deno task mass server)`,
    );
    this.name = "DaemonUnreachableError";
    this.socketPath = socketPath;
  }
}

/** True for the errors a dial gets when no daemon listens on the socket path. */
export function isConnectRefused(err: unknown): boolean {
  if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.ConnectionRefused) {
    return true;
  }
  const code = (err as { code?: unknown })?.code;
  if (code === "ENOENT" || code === "ECONNREFUSED" || code === "ENOTSOCK") return true;
  const msg = err instanceof Error ? err.message : String(err);
  return /ENOENT|ECONNREFUSED|No such file|Connection refused|os error (2|111)\b/i.test(msg);
}

/** Joins a multi-line message into one line (a stack never reaches the user). */
export function oneLine(text: string): string {
  const line = text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean).join(" ");
  return line.length > 0 ? line : "unknown error";
}

/** The text printed after `Error: ` for anything a command threw. */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return oneLine(message);
}

/** Exit code for anything a command threw. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : ExitCode.Failure;
}
