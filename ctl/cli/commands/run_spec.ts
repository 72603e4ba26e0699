/**
 * Parts of an AgentRun spec built from `agentrun create` flags.
 */

/** `spec.eventLog` from the create flags; absent when neither is given. */
export function eventLogSpec(
  segmentMiB: number | undefined,
  maxSegments: number | undefined,
): { eventLog?: { segmentMiB?: number; maxSegments?: number } } {
  if (segmentMiB === undefined && maxSegments === undefined) return {};
  return {
    eventLog: {
      ...(segmentMiB !== undefined ? { segmentMiB } : {}),
      ...(maxSegments !== undefined ? { maxSegments } : {}),
    },
  };
}
