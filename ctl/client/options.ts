/**
 * Options of the ARI client and of its event watch.
 */
import type { RunKey } from "../../specs/ari.ts";

export interface AriClientOptions {
  /** Timeout for each request (ms). */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface WatchOptions extends RunKey {
  /** Replay from this seq (inclusive); omitted = live only. */
  fromSeq?: number;
  /** Give up after this many consecutive failed reconnects (default: never). */
  maxRetries?: number;
  /** Called when the stream reconnects (for UIs). */
  onReconnect?: (nextSeq: number, err: unknown) => void;
  signal?: AbortSignal;
}
