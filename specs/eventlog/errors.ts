/**
 * What can go wrong with an event log, for its writer (the agent-run) and its readers
 * (the agent-run's replays and agentd's reads of a stopped run's files) alike.
 *
 * @module
 */
import { InternalError, InvalidParamsError } from "../errors.ts";

/**
 * The log's bytes do not form a valid, contiguous event sequence. `seq`, when known, is the
 * seq reading stopped at: the first event that could not be read.
 */
export class EventLogCorruptError extends InternalError {
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly reason: string,
    readonly seq?: number,
  ) {
    super(
      `event log corrupt at ${path} byte ${offset}${
        seq === undefined ? "" : ` (seq ${seq})`
      }: ${reason}`,
    );
    this.name = "EventLogCorruptError";
  }
}

/** The requested events were removed by segment retention (-32602 over ARI and runner RPC). */
export class EventLogTruncatedError extends InvalidParamsError {
  constructor(readonly fromSeq: number, readonly firstSeq: number) {
    super(`events before seq ${firstSeq} are no longer retained (fromSeq ${fromSeq})`);
    this.name = "EventLogTruncatedError";
  }
}

/** An append out of sequence, after close, or after an unrepairable write failure. */
export class EventLogStateError extends InternalError {
  constructor(message: string) {
    super(message);
    this.name = "EventLogStateError";
  }
}
