/**
 * `massctl agentrun prompt --wait`: send, then stream this turn's answer.
 */
import type { RunKey } from "../../../specs/ari.ts";
import type { App } from "../app.ts";
import { formatDuration } from "../duration.ts";
import { CliError, ExitCode } from "../errors.ts";
import { permissionLabel } from "../permissions.ts";
import { followTurn } from "../turn.ts";
import { promptBlocks } from "./common.ts";

/**
 * `prompt --wait`, entirely over ARI: agentrun/prompt (which reserves the run and returns
 * the seq its turn starts after), then agentrun/watch from there.
 */
export async function promptAndWait(app: App, key: RunKey, text: string, timeoutMs: number) {
  const client = await app.client();
  // Fallback cursor for a daemon that does not return fromSeq.
  const before = await client.agentrunGet(key);
  const accepted = await client.agentrunPrompt({ ...key, prompt: promptBlocks(text) });
  const fromSeq = accepted.fromSeq ?? before.status?.lastSeq;

  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  // Ctrl+C ends the wait, not the turn: say so, and how to end the turn too.
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    abort.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const cmd = `${key.name} -w ${key.workspace}`;
  let lastChunk = "";
  try {
    const outcome = await followTurn(
      client.watch({ ...key, fromSeq, signal: abort.signal }),
      {
        fromSeq,
        onText: (chunk) => {
          lastChunk = chunk;
          app.out(chunk);
        },
        onPermission: (req) => {
          app.err(
            `waiting for permission: ${permissionLabel(req)} (request ${req.requestId}); ` +
              `answer with: massctl agentrun approve ${cmd} (or: massctl agentrun deny ${cmd})\n`,
          );
        },
      },
    );
    if (lastChunk && !lastChunk.endsWith("\n")) app.out("\n");
    if (interrupted) {
      throw new CliError(
        `interrupted: the turn keeps running (cancel it with: massctl agentrun cancel ${cmd})`,
        ExitCode.Interrupted,
      );
    }
    if (outcome.kind === "ended") {
      if (outcome.stopReason === "end_turn") return;
      throw new CliError(`turn ended: ${outcome.stopReason}`, ExitCode.TurnFailed);
    }
    if (outcome.kind === "error") throw new CliError(outcome.message, ExitCode.TurnFailed);
    if (timedOut) {
      throw new CliError(
        `no answer within ${formatDuration(timeoutMs)}; the turn may still be running ` +
          `(cancel it with: massctl agentrun cancel ${key.name} -w ${key.workspace})`,
        ExitCode.Timeout,
      );
    }
    throw new CliError("event stream ended before the turn finished", ExitCode.TurnFailed);
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    clearTimeout(timer);
    abort.abort();
  }
}
