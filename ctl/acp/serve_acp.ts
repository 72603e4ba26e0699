/**
 * Serves the ACP facade of one run on a byte stream pair (stdin/stdout for `agentrun acp`)
 * until the client closes it.
 */
import * as acp from "@agentclientprotocol/sdk";
import { acpFacade, type AcpFacadeOptions } from "./acp_facade.ts";

export interface ServeAcpOptions extends AcpFacadeOptions {
  input: ReadableStream<Uint8Array>;
  output: WritableStream<Uint8Array>;
}

/**
 * Runs the facade until the client's stream ends (EOF or the client died). The run is left
 * as it is: a turn in progress finishes and stays in its log.
 *
 * @example
 * ```ts
 * await serveAcp({ client, key, input: Deno.stdin.readable, output: Deno.stdout.writable });
 * ```
 */
export async function serveAcp(opts: ServeAcpOptions): Promise<void> {
  const conn = acpFacade(opts).connect(acp.ndJsonStream(opts.output, opts.input));
  await conn.closed;
}
