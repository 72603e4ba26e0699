/**
 * The retention check of a replay request, from the log directory alone.
 *
 * @module
 */
import { EventLogTruncatedError } from "./errors.ts";
import { listSegments } from "./segments.ts";

/**
 * Throws EventLogTruncatedError (-32602) when `fromSeq` is older than the oldest segment
 * in `dir`; an undefined `fromSeq` (no replay) always passes.
 *
 * @example
 * ```ts
 * import { assertRetained } from "./assert_retained.ts";
 * await assertRetained("/tmp/run/events", 0); // throws once segment 0 was removed
 * ```
 */
export async function assertRetained(dir: string, fromSeq: number | undefined): Promise<void> {
  if (fromSeq === undefined) return;
  const oldest = (await listSegments(dir))[0]?.firstSeq;
  if (oldest !== undefined && fromSeq < oldest) throw new EventLogTruncatedError(fromSeq, oldest);
}
