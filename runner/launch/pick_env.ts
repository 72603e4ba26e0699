/** Picks `names` out of `source` (agentd's env), skipping unset ones. */
export function pickEnv(
  names: readonly string[],
  source: Record<string, string> = Deno.env.toObject(),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (source[n] !== undefined) out[n] = source[n];
  return out;
}
