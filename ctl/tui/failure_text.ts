/**
 * What the chat says when a request to agentd fails: a lost daemon reads as such (the chat
 * reconnects by itself), not as a raw OS error ("Connection refused (os error 111)").
 */
import { errorMessage } from "../../specs/errors.ts";

/** The line shown for a daemon that cannot be reached. */
export const DAEMON_UNREACHABLE = "daemon unreachable, reconnecting…";

const UNREACHABLE_ERRORS = [
  Deno.errors.ConnectionRefused,
  Deno.errors.ConnectionReset,
  Deno.errors.ConnectionAborted,
  Deno.errors.BrokenPipe,
  Deno.errors.NotConnected,
  Deno.errors.NotFound,
];

/**
 * The text for `err`: DAEMON_UNREACHABLE for a failed or lost connection, else its message.
 *
 * @example
 * ```ts
 * failureText(new Deno.errors.ConnectionRefused("os error 111")); // DAEMON_UNREACHABLE
 * ```
 */
export function failureText(err: unknown): string {
  if (UNREACHABLE_ERRORS.some((E) => err instanceof E)) return DAEMON_UNREACHABLE;
  const name = (err as { name?: unknown })?.name;
  if (name === "PeerClosedError") return DAEMON_UNREACHABLE;
  const message = errorMessage(err);
  if (/os error \d+|ECONNREFUSED|ENOENT|connection (closed|refused|reset)/i.test(message)) {
    return DAEMON_UNREACHABLE;
  }
  return message;
}
