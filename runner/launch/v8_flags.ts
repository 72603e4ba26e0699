/**
 * V8 heap flags of every agent-run. An agent-run holds one ACP connection and streams events;
 * V8's default young generation (up to 16 MiB per semi-space) lets a long turn grow its
 * resident set far beyond what it keeps alive. Measured with tests/bench (5 demo runs, then a
 * 50k-chunk turn, 2 cores): idle 82 → 77 MB, after the long turn 150 → 99 MB, events/s the
 * same within noise. The old-space cap stays far above the largest line an agent may write
 * (64 MiB), so it bounds runaway growth without failing honest work.
 */
export const AGENT_RUN_V8_FLAGS = "--v8-flags=--max-semi-space-size=1,--max-old-space-size=512";

/**
 * The V8 flags argument for `deno run` of an agent-run.
 *
 * @example
 * ```ts
 * const args = ["run", agentRunV8Flags(), "mass.ts", "run"];
 * ```
 */
export function agentRunV8Flags(): string {
  return AGENT_RUN_V8_FLAGS;
}
